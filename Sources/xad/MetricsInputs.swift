import Foundation
import XADImage
import XADMetrics

/// Reading the inputs of `xad metrics`: a CSV of image scores and labels, and folders of score
/// maps and masks paired by file name. Every error names the file (and line) at fault.
enum MetricsInputs {
    /// One CSV row: an image (or frame) score, its label, and the video it belongs to, if any.
    struct ScoredSample {
        let score: Double
        let isAnomalous: Bool
        let video: String?
    }

    /// Reads a CSV whose header names a `score` column and a `label` column (any order, other
    /// columns ignored, e.g. `file`), plus an optional `video` column for frame scores.
    /// Labels: 1/true/yes/anomaly/anomalous/defect/bad versus 0/false/no/normal/good/ok.
    static func readScores(_ path: String) throws -> [ScoredSample] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw MetricsCommandError("\(path): cannot read the file (\(error.localizedDescription))")
        }
        var lines = text.split(whereSeparator: \.isNewline).map(String.init).enumerated()
            .filter { !$0.element.trimmingCharacters(in: .whitespaces).isEmpty }.makeIterator()
        guard let header = lines.next()?.element else { throw MetricsCommandError("\(path): the file is empty") }
        let columns = cells(header).map { $0.lowercased() }
        guard let scoreColumn = columns.firstIndex(of: "score"), let labelColumn = columns.firstIndex(of: "label") else {
            throw MetricsCommandError("\(path): the header must name a 'score' and a 'label' column (found: \(columns.joined(separator: ", ")))")
        }
        let videoColumn = columns.firstIndex(of: "video")
        var samples: [ScoredSample] = []
        while let (index, line) = lines.next() {
            let row = cells(line), lineNumber = index + 1
            guard row.count == columns.count else {
                throw MetricsCommandError("\(path): line \(lineNumber) has \(row.count) cells, the header \(columns.count)")
            }
            guard let score = Double(row[scoreColumn]), score.isFinite else {
                throw MetricsCommandError("\(path): line \(lineNumber): the score '\(row[scoreColumn])' is not a finite number")
            }
            guard let label = parseLabel(row[labelColumn]) else {
                throw MetricsCommandError("\(path): line \(lineNumber): the label '\(row[labelColumn])' is not 0/1, true/false or normal/anomaly")
            }
            samples.append(ScoredSample(score: score, isAnomalous: label, video: videoColumn.map { row[$0] }))
        }
        guard !samples.isEmpty else { throw MetricsCommandError("\(path): no rows below the header") }
        return samples
    }

    private static func cells(_ line: String) -> [String] {
        line.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
    }

    private static func parseLabel(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "true", "yes", "anomaly", "anomalous", "defect", "bad": true
        case "0", "false", "no", "normal", "good", "ok": false
        default: nil
        }
    }

    /// Pairs every map in `mapsFolder` with the mask of the same name (extension aside; a mask
    /// named `NAME_mask` also pairs with `NAME`) and reads both.
    static func readPairs(maps mapsFolder: String, masks masksFolder: String, maskThreshold: Float?)
        throws -> (maps: [ScoreMap], masks: [DefectMask])
    {
        let mapFiles = try files(in: mapsFolder), maskFiles = try files(in: masksFolder)
        var masksByName: [String: URL] = [:]
        for url in maskFiles {
            var stem = url.deletingPathExtension().lastPathComponent
            if stem.hasSuffix("_mask") { stem.removeLast(5) }
            masksByName[stem] = url
        }
        let mapNames = Set(mapFiles.map { $0.deletingPathExtension().lastPathComponent })
        if let orphan = masksByName.keys.sorted().first(where: { !mapNames.contains($0) }), let url = masksByName[orphan] {
            throw MetricsCommandError("\(url.path): this mask has no score map named \(orphan).npy or \(orphan).png in \(mapsFolder)")
        }
        var maps: [ScoreMap] = [], masks: [DefectMask] = []
        for (index, mapURL) in mapFiles.enumerated() {
            let stem = mapURL.deletingPathExtension().lastPathComponent
            guard let maskURL = masksByName[stem] else {
                throw MetricsCommandError("\(mapURL.path): no mask named \(stem).png, \(stem)_mask.png or \(stem).npy in \(masksFolder)")
            }
            if index % 100 == 0 { FileHandle.standardError.write(Data("reading map \(index + 1) of \(mapFiles.count)\n".utf8)) }
            let (height, width, scores) = try readPlane(mapURL)
            maps.append(try ScoreMap(height: height, width: width, scores: scores, name: mapURL.path))
            let mask = try readPlane(maskURL)
            masks.append(try DefectMask(height: mask.height, width: mask.width, values: mask.values,
                                        threshold: maskThreshold, name: maskURL.path))
        }
        return (maps, masks)
    }

    /// The `.npy` and `.png` files of a folder, sorted by name.
    private static func files(in folder: String) throws -> [URL] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
            throw MetricsCommandError("\(folder): cannot list the folder (\(error.localizedDescription))")
        }
        let urls = names.sorted().filter { ["npy", "png"].contains(($0 as NSString).pathExtension.lowercased()) }
            .map { URL(fileURLWithPath: folder).appendingPathComponent($0) }
        guard !urls.isEmpty else { throw MetricsCommandError("\(folder): no .npy or .png files") }
        return urls
    }

    /// One 2-D plane of values: an `.npy` array of shape [H, W] (or [1, H, W], [1, 1, H, W]) as
    /// stored, or a gray PNG scaled to 0...1 (colour PNGs must have equal channels).
    private static func readPlane(_ url: URL) throws -> (height: Int, width: Int, values: [Float]) {
        if url.pathExtension.lowercased() == "npy" {
            let tensor = try NPYFile.read(contentsOf: url)
            let sizes = tensor.shape.drop { $0 == 1 && tensor.shape.count > 2 }
            guard sizes.count == 2 else {
                throw MetricsCommandError("\(url.path): the array has shape \(tensor.shape); a map or mask needs [H, W]")
            }
            return (sizes[sizes.startIndex], sizes[sizes.startIndex + 1], tensor.scalars)
        }
        let image = try Image(contentsOf: url)
        let colours = image.hasAlpha ? image.channels - 1 : image.channels
        let scale = 1 / Float(image.maximumSampleValue)
        var values = [Float](repeating: 0, count: image.width * image.height)
        for pixel in values.indices {
            let first = image.samples[pixel * image.channels]
            for channel in 1..<max(colours, 1) where image.samples[pixel * image.channels + channel] != first {
                throw MetricsCommandError("\(url.path): a colour image; maps and masks must be gray (pixel \(pixel % image.width), \(pixel / image.width) differs between channels)")
            }
            values[pixel] = Float(first) * scale
        }
        return (image.height, image.width, values)
    }
}

/// A one-line error of `xad metrics` that names the file at fault.
struct MetricsCommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
