import Foundation
import XADImage
import XADTensor

/// Writes explanations to a folder, one sub-folder per explained image:
///
/// - `NAME/METHOD.npy`: the map, float32, at the image's size;
/// - `NAME/METHOD_overlay.png`: the map coloured over the image (scaled by its own range);
/// - `NAME/METHOD_EXTRA.png`: each extra image (counterfactual, difference, exemplar crops);
/// - `NAME/METHOD.json`: a ``Summary`` (method, target and its value, options, values, seconds);
/// - `NAME/panel.png` (``writePanel(_:of:named:columns:)``): the input beside every method's overlay
///   and extra images, each under a caption.
///
/// Every file goes to a temporary file first and is then renamed, so an interrupted run leaves
/// whole files or none.
///
/// ```swift
/// let files = ExplanationFiles(folder: URL(fileURLWithPath: "explanations"))
/// try files.write(explanation, of: image, named: "blowhole_01", seconds: 0.8)
/// try files.writePanel([saliency, occlusion], of: image, named: "blowhole_01")
/// ```
public struct ExplanationFiles: Sendable {
    /// The folder the per-image folders go into (created when missing).
    public var folder: URL
    /// The overlays' colour map. Default jet.
    public var colorMap: ColorMap
    /// The overlays' opacity. Default 0.5.
    public var alpha: Float

    public init(folder: URL, colorMap: ColorMap = .jet, alpha: Float = 0.5) {
        self.folder = folder
        self.colorMap = colorMap
        self.alpha = alpha
    }

    /// What `METHOD.json` holds.
    public struct Summary: Codable, Sendable, Equatable {
        /// The explained image's name (its file name without extension).
        public var image: String
        public var method: String
        /// The target in its text form (``ExplanationTarget/description``), and its value.
        public var target: String
        public var targetValue: Float
        public var options: [String: String]
        public var values: [String: Double]
        /// Seconds the explanation took.
        public var seconds: Double
        /// The files written for this explanation, relative to the image's folder.
        public var files: [String]
    }

    /// The folder of the image called `name`.
    public func imageFolder(_ name: String) -> URL { folder.appendingPathComponent(name, isDirectory: true) }

    /// Writes the map, its overlay, the extra images and the summary of one explanation of `image`
    /// (`[1, C, H, W]` in 0...1).
    /// - Returns: the summary written.
    /// - Throws: `ImageError` when a file cannot be written (naming it), `TensorError` when the
    ///   map does not match the image or holds NaN.
    @discardableResult
    public func write(_ explanation: Explanation, of image: Tensor, named name: String, seconds: Double) throws -> Summary {
        let method = explanation.method
        let shown = try overlay(heatmap: explanation.map, on: image, alpha: alpha, colorMap: colorMap)
        let extras = explanation.images.sorted { $0.key < $1.key }.map { ("\(method)_\($0.key).png", Self.displayable($0.value)) }
        var summary = Summary(image: name, method: method, target: explanation.target.description,
                              targetValue: explanation.targetValue, options: explanation.options, values: explanation.values,
                              seconds: seconds, files: ["\(method).npy", "\(method)_overlay.png"] + extras.map(\.0) + ["\(method).json"])
        summary.files.sort()
        let destination = try createdFolder(name)
        try AtomicFile.write(NPYFile.encode(explanation.map), to: destination.appendingPathComponent("\(method).npy"))
        try Image(tensor: shown).write(to: destination.appendingPathComponent("\(method)_overlay.png"), format: .png)
        for (file, extra) in extras {
            try Image(tensor: extra).write(to: destination.appendingPathComponent(file), format: .png)
        }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(summary), to: destination.appendingPathComponent("\(method).json"))
        return summary
    }

    /// Writes `NAME/panel.png`: the input, then each explanation's overlay captioned with its
    /// method, then its extra images captioned `METHOD EXTRA`, `columns` tiles per row.
    /// - Returns: the panel's file.
    @discardableResult
    public func writePanel(_ explanations: [Explanation], of image: Tensor, named name: String, columns: Int = 4) throws -> URL {
        var panel = Panel(columns: columns)
        panel.append(image, caption: "input")
        for explanation in explanations {
            panel.append(try overlay(heatmap: explanation.map, on: image, alpha: alpha, colorMap: colorMap),
                         caption: explanation.method)
        }
        // Small extras (exemplar crops) are enlarged by a whole factor, up to a third of the input's height.
        let shownHeight = Swift.max(image.shape[image.rank - 2] / 3, 1)
        for explanation in explanations {
            for (extra, tile) in explanation.images.sorted(by: { $0.key < $1.key }) {
                panel.append(try Self.enlarged(Self.displayable(tile), toAtMost: shownHeight),
                             caption: "\(explanation.method) \(extra)")
            }
        }
        let file = try createdFolder(name).appendingPathComponent("panel.png")
        try Image(tensor: try panel.rendered()).write(to: file, format: .png)
        return file
    }

    /// An extra image ready for PNG: as it is when its values lie in 0...1, min-max scaled
    /// otherwise (a signed difference image stays readable).
    public static func displayable(_ image: Tensor) -> Tensor {
        let values = image.scalars
        guard let lowest = values.min(), let highest = values.max(), lowest < 0 || highest > 1 else { return image }
        let span = highest - lowest
        return Tensor(shape: image.shape) { out in
            for i in values.indices { out[i] = span > 0 ? (values[i] - lowest) / span : 0 }
        }
    }

    /// `image` (`[1, C, h, w]`) scaled up by the largest whole factor that keeps it at most
    /// `height` pixels high (nearest neighbour, so crops stay sharp); unchanged when none does.
    static func enlarged(_ image: Tensor, toAtMost height: Int) throws -> Tensor {
        guard image.rank == 4 else { return image }
        let factor = height / Swift.max(image.shape[2], 1)
        guard factor > 1 else { return image }
        return try image.resized(to: Size2(height: image.shape[2] * factor, width: image.shape[3] * factor), mode: .nearest)
    }

    private func createdFolder(_ name: String) throws -> URL {
        let url = imageFolder(name)
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw ImageError(.writeFailed, url.path, "cannot create the folder (\(error.localizedDescription))")
        }
        return url
    }
}
