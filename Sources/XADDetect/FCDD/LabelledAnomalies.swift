import Foundation
import XADData
import XADImage
import XADTensor

/// The few labelled anomalous images of FCDD's semi-supervised mode, with their defect masks,
/// read from a list file: one image a line, optionally followed by its mask
/// (`blowhole_1.jpg blowhole_1_mask.png`); without one, the PNG of the same name beside the
/// image (MTD's layout). Relative paths are relative to the list's folder; `#` starts a comment.
///
/// ```
/// # five per defect class of MTD v1
/// MT_Blowhole/Imgs/exp1_num_108444.jpg
/// ```
enum LabelledAnomalies {
    /// The images prepared by `preprocessing` (`[N, C, H, W]`) and their masks at the same size
    /// (`[N, 1, H, W]`, 1 at defect pixels).
    /// - Throws: ``DetectorError/invalidInput(_:)`` naming the list when it cannot be read, is
    ///   empty, or names a mask without a defect; the decoders' errors naming the file.
    static func load(list path: String, preprocessing: Preprocessing) throws -> (images: Tensor, masks: Tensor) {
        guard preprocessing.centerCrop == nil else {
            throw DetectorError.invalidOption("FCDD's labelled anomalies need a preprocessing without a centre crop (their masks are resized, not cropped)")
        }
        let listURL = URL(fileURLWithPath: path)
        guard let text = try? String(contentsOf: listURL, encoding: .utf8) else {
            throw DetectorError.invalidInput("FCDD: cannot read the list of labelled anomalies \(path)")
        }
        let folder = listURL.deletingLastPathComponent()
        func resolve(_ name: Substring) -> URL {
            name.hasPrefix("/") ? URL(fileURLWithPath: String(name)) : folder.appendingPathComponent(String(name))
        }
        var images: [Tensor] = [], masks: [Tensor] = []
        for line in text.split(separator: "\n") {
            let fields = line.prefix { $0 != "#" }.split(whereSeparator: \.isWhitespace)
            guard let imageName = fields.first else { continue }
            let image = resolve(imageName)
            let mask = fields.count > 1 ? resolve(fields[1]) : image.deletingPathExtension().appendingPathExtension("png")
            let sample = try SampleReference(image: image, label: .anomalous, category: "labelled", mask: .file(mask)).load()
            let prepared = try preprocessing(sample.image)
            let size = preprocessing.outputSize
            let resized = try sample.mask.resized(to: size, mode: .bilinear).scalars.map { $0 >= 0.5 ? Float(1) : 0 }
            guard resized.contains(1) else {
                throw DetectorError.invalidInput("FCDD: the mask \(mask.path) of labelled anomaly \(image.path) marks no defect at \(size.height) x \(size.width)")
            }
            images.append(prepared)
            masks.append(try Tensor(shape: [1, 1, size.height, size.width], scalars: resized))
        }
        guard !images.isEmpty else { throw DetectorError.invalidInput("FCDD: the list of labelled anomalies \(path) names no image") }
        return (try Tensor.concatenate(images, axis: 0), try Tensor.concatenate(masks, axis: 0))
    }
}
