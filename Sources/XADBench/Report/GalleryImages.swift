import Foundation
import XADData
import XADDetect
import XADExplain
import XADImage
import XADTensor

/// One picture of the gallery: a file beside the page and its caption.
struct GalleryTile {
    /// Path relative to the page, e.g. `images/003-crack_01-overlay.jpg`.
    var file: String
    var caption: String
    var width: Int, height: Int
}

/// One gallery entry: the scored image, its verdict and its pictures.
struct GalleryEntry {
    var image: ScoredImage
    var verdict: Verdict?
    /// Input, ground truth, anomaly-map overlay, predicted-mask contour.
    var tiles: [GalleryTile]
    /// Each explanation's overlay (captioned with its method and seconds), then its extra images.
    var explanations: [GalleryTile]
}

/// Draws a gallery image's pictures at the model's resolution and writes them into a folder:
/// the input (resized and cropped as the model saw it), the ground-truth mask, the anomaly map
/// over the input, and the predicted mask (`map >= threshold`) outlined in red beside the true
/// defect outlined in green.
///
/// The predicted mask uses the image-score threshold on the map: for PaDiM, whose image score is
/// the map's maximum, an image is flagged exactly when its predicted mask is not empty.
struct GalleryImages {
    let folder: URL
    let preprocessing: Preprocessing
    let options: ReportOptions
    /// The overlays' colour scale, shared by every image so colours compare.
    let mapRange: ClosedRange<Float>?
    let threshold: Double?

    /// Writes the four pictures of `image` (and its explanations' pictures) as `NNN-NAME-*.jpg/png`.
    func entry(_ image: ScoredImage, rank: Int, sample: Sample,
               explanations: [TimedExplanation]) throws -> GalleryEntry {
        let stem = String(format: "%03d-", rank) + Self.safeFileName(image.reference.image.deletingPathExtension().lastPathComponent)
        let shown = try display(sample.image, height: image.map.height, width: image.map.width)
        let map = try Tensor(shape: [image.map.height, image.map.width], scalars: image.map.scores)
        var tiles = [try write(shown, "\(stem)-input.jpg", "input")]
        let truth: Tensor? = try image.mask.map { mask in
            try Tensor(shape: [1, 1, mask.height, mask.width], scalars: mask.isDefect.map { $0 ? 1 : 0 })
        }
        if let truth { tiles.append(try write(truth, "\(stem)-truth.png", "ground truth")) }
        tiles.append(try write(try overlay(heatmap: map, on: shown, alpha: options.overlayAlpha, colorMap: options.colorMap, range: mapRange),
                               "\(stem)-overlay.jpg", "anomaly map"))
        if let threshold {
            let predicted = Tensor(shape: map.shape) { out in
                for (i, value) in image.map.scores.enumerated() { out[i] = Double(value) >= threshold ? 1 : 0 }
            }
            var outlined = try drawContour(of: predicted, color: .red, on: shown)
            if let truth { outlined = try drawContour(of: truth, color: .green, on: outlined) }
            tiles.append(try write(outlined, "\(stem)-contour.jpg", "predicted (red) vs true (green)"))
        }
        var explained: [GalleryTile] = []
        for (explanation, seconds) in explanations.map({ ($0.explanation, $0.seconds) }) {
            let method = Self.safeFileName(explanation.method)
            let relevance = try display(explanation.map.reshaped([1, 1] + explanation.map.shape), height: shown.shape[2], width: shown.shape[3])
            explained.append(try write(try overlay(heatmap: relevance, on: shown, alpha: options.overlayAlpha, colorMap: options.colorMap),
                                       "\(stem)-\(method).jpg", "\(explanation.method) (\(String(format: "%.1f", seconds)) s)"))
            for (name, extra) in explanation.images.sorted(by: { $0.key < $1.key }) {
                let sameSize = extra.rank == 4 && Array(extra.shape.suffix(2)) == Array(sample.image.shape.suffix(2))
                let picture = sameSize ? try display(extra, height: shown.shape[2], width: shown.shape[3]) : extra
                explained.append(try write(ExplanationFiles.displayable(picture), "\(stem)-\(method)-\(Self.safeFileName(name)).png",
                                           "\(explanation.method) \(name)"))
            }
        }
        return GalleryEntry(image: image, verdict: threshold.map { Verdict(image, threshold: $0) }, tiles: tiles, explanations: explained)
    }

    /// `image` (`[1, C, H, W]`) as the model saw it: resized to the preprocessing's image size,
    /// centre-cropped when it crops, and resized to `height x width` if that still differs.
    func display(_ image: Tensor, height: Int, width: Int) throws -> Tensor {
        var shown = try image.resized(to: preprocessing.imageSize, mode: .bilinear)
        if let crop = preprocessing.centerCrop { shown = try shown.centerCropped(to: crop) }
        if shown.shape[2] != height || shown.shape[3] != width {
            shown = try shown.resized(to: Size2(height: height, width: width), mode: .bilinear)
        }
        return shown
    }

    private func write(_ picture: Tensor, _ file: String, _ caption: String) throws -> GalleryTile {
        let url = folder.appendingPathComponent(file)
        let format: ImageFormat = file.hasSuffix(".jpg") ? .jpeg : .png
        try Image(tensor: picture).write(to: url, format: format, jpegQuality: Swift.min(100, Swift.max(1, options.jpegQuality)))
        return GalleryTile(file: "\(folder.lastPathComponent)/\(file)", caption: caption,
                           width: picture.shape[picture.rank - 1], height: picture.shape[picture.rank - 2])
    }

    /// Letters, digits, `-`, `_` and `.` kept; anything else (spaces, slashes, quotes) becomes `_`.
    static func safeFileName(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "_" })
    }
}
