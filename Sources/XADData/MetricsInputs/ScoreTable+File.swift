import Foundation
import XADMetrics

extension ScoreTable {
    /// Reads the CSV file at `url` (UTF-8); errors name the path as given
    /// (`"scores.csv: line 3: ..."`). See ``ScoreTable`` for the columns and labels.
    /// - Throws: `ScoreTableError` for an unreadable file or a bad header or row.
    public init(contentsOf url: URL) throws {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ScoreTableError.unreadable(source: url.relativePath, reason: error.localizedDescription)
        }
        try self.init(csv: text, source: url.relativePath)
    }
}
