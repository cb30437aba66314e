import Foundation

/// Anomalous frame ranges from a CSV file, one range per row: `clip,first,last`, frames 1-based
/// and inclusive (`01,30,45` marks the 30th to the 45th frame of clip `01`). A clip may have many
/// rows; clips without rows are normal throughout. A first row `clip,first,last` is a header;
/// empty lines and lines starting with `#` are skipped.
///
/// ```
/// clip,first,last
/// # a bicycle crosses
/// 01,30,45
/// walk_03,1,12
/// ```
public struct FrameRangeTable: Sendable {
    /// One row: the clip's name, its anomalous frames (1-based, inclusive) and the row's line number.
    public struct Row: Sendable, Equatable {
        public let clip: String
        public let frames: ClosedRange<Int>
        public let line: Int
    }

    /// The file the rows came from.
    public let url: URL
    /// The rows in file order.
    public let rows: [Row]

    /// Reads the table at `url`.
    /// - Throws: ``VideoDataError/malformedLabels(file:line:text:problem:)`` naming the line for a
    ///   row that is not `clip,first,last` with whole frames `1 <= first <= last`.
    public init(contentsOf url: URL) throws {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw VideoDataError.labelFile(folder: url, problem: "cannot read the frame-range table (\(error.localizedDescription))")
        }
        var rows: [Row] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if line.isEmpty || line.hasPrefix("#") || (rows.isEmpty && fields == ["clip", "first", "last"]) { continue }
            let fail = { (problem: String) in VideoDataError.malformedLabels(file: url, line: offset + 1, text: line, problem: problem) }
            guard fields.count == 3, !fields[0].isEmpty else { throw fail("expected clip,first,last") }
            guard let first = Int(fields[1]), let last = Int(fields[2]), first >= 1, first <= last else {
                throw fail("first and last must be whole 1-based frames with first <= last")
            }
            rows.append(Row(clip: fields[0], frames: first...last, line: offset + 1))
        }
        (self.url, self.rows) = (url, rows)
    }

    /// Labels `clips` by the table: each clip's frames in its rows are anomalous.
    /// - Throws: ``VideoDataError/unknownClip(file:line:clip:)`` for a row naming no clip of
    ///   `clips`, ``VideoDataError/labelBeyondClip(file:clip:frame:frameCount:)`` for a range
    ///   past the clip's last frame.
    public func label(_ clips: [VideoClip]) throws -> [VideoClip] {
        var flags = Dictionary(uniqueKeysWithValues: clips.map { ($0.name, [Bool](repeating: false, count: $0.count)) })
        for row in rows {
            guard var clipFlags = flags[row.clip] else { throw VideoDataError.unknownClip(file: url, line: row.line, clip: row.clip) }
            guard row.frames.upperBound <= clipFlags.count else {
                throw VideoDataError.labelBeyondClip(file: url, clip: row.clip, frame: row.frames.upperBound, frameCount: clipFlags.count)
            }
            for frame in row.frames { clipFlags[frame - 1] = true }
            flags[row.clip] = clipFlags
        }
        return try clips.map { clip in try clip.labelled(flags[clip.name] ?? [], from: url) }
    }
}
