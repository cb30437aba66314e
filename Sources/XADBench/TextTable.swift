/// A plain-text table for terminals: the first column left-aligned, the others right-aligned
/// (numbers line up), two spaces between columns.
///
/// ```swift
/// TextTable(header: ["detector", "AUROC"], rows: [["padim", "0.9100"]]).text
/// // detector   AUROC
/// // padim     0.9100
/// ```
public struct TextTable: Sendable, Equatable {
    /// The column titles; their count is the table's column count.
    public var header: [String]
    /// Rows of cells; a row shorter than the header is padded with empty cells.
    public var rows: [[String]]

    /// A table of `rows` under `header`.
    public init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    /// The header and rows, one line each.
    public var lines: [String] {
        let all = ([header] + rows).map { row in row + Array(repeating: "", count: Swift.max(0, header.count - row.count)) }
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            header.indices.map { column in
                let cell = row[column], pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
    }

    /// The lines joined by newlines.
    public var text: String { lines.joined(separator: "\n") }
}
