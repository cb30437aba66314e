/// Image (or frame) scores and their labels, parsed from CSV text that any tool can write.
///
/// The header names a `score` and a `label` column, in any order and any case; other columns
/// (such as `file`) are ignored. An optional `video` column makes the rows frames of the named
/// videos, in playing order. Labels read as defect: `1`, `true`, `yes`, `anomaly`, `anomalous`,
/// `defect`, `bad`; as normal: `0`, `false`, `no`, `normal`, `good`, `ok`. Cells are trimmed of
/// spaces and double quotes; blank lines are skipped. Quoted commas are not supported.
///
/// ```swift
/// let table = try ScoreTable(csv: "file,score,label\na.png,0.9,1\nb.png,0.2,0\n", source: "scores.csv")
/// let ranking = try BinaryRanking(scores: table.scores, labels: table.labels)
/// print(try ranking.auroc())  // 1.0
/// ```
public struct ScoreTable: Sendable, Equatable {
    /// One row: a score, its label, and the video the frame belongs to (with a `video` column).
    public struct Row: Sendable, Equatable {
        /// The anomaly score; finite.
        public let score: Double
        /// The label: `true` for a defect (anomalous image or frame).
        public let isAnomalous: Bool
        /// The `video` cell, or `nil` when the table has no `video` column.
        public let video: String?

        public init(score: Double, isAnomalous: Bool, video: String? = nil) {
            self.score = score
            self.isAnomalous = isAnomalous
            self.video = video
        }
    }

    /// Where the text came from, e.g. a file path; errors and video names start with it.
    public let source: String
    /// The rows in the order of the text; never empty.
    public let rows: [Row]

    /// The scores, in row order.
    public var scores: [Double] { rows.map(\.score) }
    /// The labels (`true` = defect), in row order.
    public var labels: [Bool] { rows.map(\.isAnomalous) }
    /// Whether the rows are frames of videos (the table has a `video` column).
    public var hasVideos: Bool { rows.contains { $0.video != nil } }

    /// Parses `text`; `source` names it in errors (`"scores.csv: line 3: ..."`).
    /// - Throws: ``ScoreTableError`` naming the source, the line and the cell at fault.
    public init(csv text: String, source: String) throws {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
            .filter { !$0.element.allSatisfy(\.isWhitespace) }.makeIterator()
        guard let header = lines.next()?.element else { throw ScoreTableError.empty(source: source) }
        let columns = Self.cells(header).map { $0.lowercased() }
        guard let scoreColumn = columns.firstIndex(of: "score"), let labelColumn = columns.firstIndex(of: "label") else {
            throw ScoreTableError.missingColumns(source: source, found: columns)
        }
        let videoColumn = columns.firstIndex(of: "video")
        var rows: [Row] = []
        while let (index, line) = lines.next() {
            let cells = Self.cells(line), lineNumber = index + 1
            guard cells.count == columns.count else {
                throw ScoreTableError.cellCount(source: source, line: lineNumber, cells: cells.count, header: columns.count)
            }
            guard let score = Double(cells[scoreColumn]), score.isFinite else {
                throw ScoreTableError.invalidScore(source: source, line: lineNumber, text: cells[scoreColumn])
            }
            guard let label = Self.label(cells[labelColumn]) else {
                throw ScoreTableError.invalidLabel(source: source, line: lineNumber, text: cells[labelColumn])
            }
            rows.append(Row(score: score, isAnomalous: label, video: videoColumn.map { cells[$0] }))
        }
        guard !rows.isEmpty else { throw ScoreTableError.noRows(source: source) }
        self.source = source
        self.rows = rows
    }

    /// The frames of each video, videos in order of first appearance, each named
    /// `"SOURCE: video NAME"`; rows without a video form one video named by the empty string.
    /// - Throws: ``MetricsError`` when a video's scores cannot be measured (see ``VideoFrames``).
    public func videos() throws -> [VideoFrames] {
        var order: [String] = [], frames: [String: [Row]] = [:]
        for row in rows {
            let video = row.video ?? ""
            if frames[video] == nil { order.append(video) }
            frames[video, default: []].append(row)
        }
        return try order.map { name in
            let rows = frames[name, default: []]
            return try VideoFrames(name: "\(source): video \(name)", scores: rows.map(\.score), labels: rows.map(\.isAnomalous))
        }
    }

    /// The label a cell stands for (`true` = defect), or `nil` when it is none of the accepted words.
    public static func label(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "true", "yes", "anomaly", "anomalous", "defect", "bad": true
        case "0", "false", "no", "normal", "good", "ok": false
        default: nil
        }
    }

    /// The comma-separated cells of `line`, each trimmed of spaces and surrounding double quotes.
    private static func cells(_ line: Substring) -> [String] {
        line.split(separator: ",", omittingEmptySubsequences: false).map { cell in
            String(cell.trimmed(\.isWhitespace).trimmed { $0 == "\"" })
        }
    }
}

extension Substring {
    /// The substring without leading and trailing characters that match `isTrimmed`.
    fileprivate func trimmed(_ isTrimmed: (Character) -> Bool) -> Substring {
        guard let first = firstIndex(where: { !isTrimmed($0) }), let last = lastIndex(where: { !isTrimmed($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
