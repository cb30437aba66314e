import XADTensor

/// Why a ``ScoreTable`` could not be read: each case names the source (a file path) and, for a
/// bad row, its line number (counting every line of the text, the header's is 1).
///
/// ```swift
/// do { _ = try ScoreTable(csv: "score,label\n0.5,maybe\n", source: "scores.csv") }
/// catch let error as ScoreTableError { print(error) }
/// // "scores.csv: line 2: the label 'maybe' is not 0/1, true/false or normal/anomaly"
/// ```
public enum ScoreTableError: StatusReportingError, Equatable, Sendable {
    /// The file could not be read; `reason` is the system's.
    case unreadable(source: String, reason: String)
    /// The text holds no header (nothing but blank lines).
    case empty(source: String)
    /// The header names no `score` or no `label` column; `found` lists the columns it names.
    case missingColumns(source: String, found: [String])
    /// A row has `cells` cells where the header has `header`.
    case cellCount(source: String, line: Int, cells: Int, header: Int)
    /// A score cell is not a finite number.
    case invalidScore(source: String, line: Int, text: String)
    /// A label cell is none of the accepted words (see ``ScoreTable/label(_:)``).
    case invalidLabel(source: String, line: Int, text: String)
    /// Nothing below the header.
    case noRows(source: String)

    /// A table that cannot be read is bad data.
    public var exitStatus: ExitStatus { .data }

    /// The line at fault, for errors about one row.
    public var line: Int? {
        switch self {
        case .cellCount(_, let line, _, _), .invalidScore(_, let line, _), .invalidLabel(_, let line, _): line
        case .unreadable, .empty, .missingColumns, .noRows: nil
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let source, let reason):
            "\(source): cannot read the file (\(reason))"
        case .empty(let source):
            "\(source): the file is empty"
        case .missingColumns(let source, let found):
            "\(source): the header must name a 'score' and a 'label' column (found: \(found.joined(separator: ", ")))"
        case .cellCount(let source, let line, let cells, let header):
            "\(source): line \(line) has \(cells) cells, the header \(header)"
        case .invalidScore(let source, let line, let text):
            "\(source): line \(line): the score '\(text)' is not a finite number"
        case .invalidLabel(let source, let line, let text):
            "\(source): line \(line): the label '\(text)' is not 0/1, true/false or normal/anomaly"
        case .noRows(let source):
            "\(source): no rows below the header"
        }
    }
}
