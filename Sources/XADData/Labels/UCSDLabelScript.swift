import Foundation

/// The frame labels of the UCSD Ped1/Ped2 data sets: the MATLAB script `UCSDped1.m` or
/// `UCSDped2.m` shipped with them, which lists the anomalous frames of every test clip as 1-based,
/// inclusive ranges:
///
/// ```matlab
/// TestVideoFile = {};
/// TestVideoFile{end+1}.gt_frame = [61:180];
/// TestVideoFile{end+1}.gt_frame = [5:90, 140:200];
/// ```
///
/// `{end+1}` appends a clip, `{k}` sets clip k (at most one past the last); a bracket holds
/// comma- or space-separated `a:b` ranges and single frames. `%` starts a comment; other lines
/// are ignored.
public struct UCSDLabelScript: Sendable, Equatable {
    /// The file read.
    public let url: URL
    /// For each test clip in file order, its anomalous frames as 1-based inclusive ranges.
    public let anomalousFrames: [[ClosedRange<Int>]]

    /// Reads the script at `url`. Throws ``VideoDataError/malformedLabels(file:line:text:problem:)``
    /// naming the line that cannot be read.
    public init(contentsOf url: URL) throws {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw VideoDataError.labelFile(folder: url, problem: "cannot read the label file (\(error.localizedDescription))")
        }
        try self.init(text: text, url: url)
    }

    /// Parses script text; `url` names the file in errors.
    public init(text: String, url: URL) throws {
        var clips: [[ClosedRange<Int>]] = []
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = String(rawLine.prefix { $0 != "%" }).trimmingCharacters(in: .whitespaces)
            guard line.contains("gt_frame") else { continue }
            let fail = { (problem: String) in
                VideoDataError.malformedLabels(file: url, line: offset + 1, text: line, problem: problem)
            }
            guard let open = line.firstIndex(of: "{"), let close = line.firstIndex(of: "}"), open < close else {
                throw fail("expected TestVideoFile{k}.gt_frame = [a:b]")
            }
            let index = line[line.index(after: open)..<close].replacingOccurrences(of: " ", with: "")
            let position: Int
            if index == "end+1" {
                position = clips.count
            } else if let k = Int(index), k >= 1, k <= clips.count + 1 {
                position = k - 1
            } else {
                throw fail("clip index {\(index)} is not end+1 or 1...\(clips.count + 1)")
            }
            guard let bracket = line.firstIndex(of: "["), let end = line.lastIndex(of: "]"), bracket < end else {
                throw fail("expected the frames in brackets, e.g. [61:180]")
            }
            let ranges = try Self.ranges(String(line[line.index(after: bracket)..<end]), fail: fail)
            if position == clips.count { clips.append(ranges) } else { clips[position] = ranges }
        }
        self.url = url
        anomalousFrames = clips
    }

    private static func ranges(_ body: String, fail: (String) -> VideoDataError) throws -> [ClosedRange<Int>] {
        let tokens = body.split { $0 == "," || $0 == " " || $0 == "\t" }.map(String.init)
        return try tokens.compactMap { token in
            let bounds = token.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard (1...2).contains(bounds.count), bounds.allSatisfy({ ($0 ?? 0) >= 1 }),
                  let first = bounds[0], let last = bounds[bounds.count - 1] else {
                throw fail("'\(token)' is not a frame number or a range a:b of 1-based frames")
            }
            return first <= last ? first...last : nil   // MATLAB's a:b with a > b is empty
        }
    }

    /// Per-frame anomaly flags of a clip of `frameCount` frames (`clip` is 0-based).
    /// Throws ``VideoDataError/labelBeyondClip(file:clip:frame:frameCount:)`` when a range passes
    /// the clip's end.
    public func flags(clip: Int, name: String, frameCount: Int) throws -> [Bool] {
        var flags = [Bool](repeating: false, count: frameCount)
        for range in anomalousFrames[clip] {
            guard range.upperBound <= frameCount else {
                throw VideoDataError.labelBeyondClip(file: url, clip: name, frame: range.upperBound, frameCount: frameCount)
            }
            for frame in range { flags[frame - 1] = true }
        }
        return flags
    }
}
