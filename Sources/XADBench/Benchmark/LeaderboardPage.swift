import Foundation

/// The leaderboard's HTML page: one self-contained file with the report's style sheet, a chart
/// (each row's ranking figure as a dot with its interval as a whisker) and a table per question;
/// a click on a column header sorts the table by it (again: the other way).
struct LeaderboardPage {
    let board: Leaderboard

    func html() -> String {
        var page = ReportPage.head(title: board.title, subtitle: "XADKit benchmark leaderboard: value [bootstrap 95% interval over images]")
        for (index, table) in board.tables.enumerated() {
            page += "<section id=\"table-\(index)\">\n<h2>\(Markup.escape(table.title))</h2>\n"
            page += table.rows.isEmpty ? "<p>No rows.</p>\n" : chart(table) + self.table(table, id: index)
            page += "</section>\n"
        }
        return page + "<footer>\(board.records.count) records</footer>\n<script>\(Self.script)</script>\n</body>\n</html>\n"
    }

    /// A sortable table: each cell carries its value in `data-value` for the sort.
    private func table(_ table: Leaderboard.Table, id: Int) -> String {
        let headers = ["rank", "method", "seed"] + table.columns
        var html = "<table class=\"metrics sortable\" id=\"board-\(id)\">\n<thead><tr>"
            + headers.enumerated().map { "<th data-column=\"\($0.offset)\" title=\"sort\">\(Markup.escape($0.element))</th>" }.joined()
            + "</tr></thead>\n<tbody>\n"
        for (rank, row) in table.rows.enumerated() {
            html += "<tr><td data-value=\"\(rank + 1)\">\(rank + 1)</td><th data-value=\"\(Markup.escape(row.method))\">\(Markup.escape(row.method))</th>"
                + "<td data-value=\"\(row.seed)\">\(row.seed)</td>"
            for column in table.columns {
                let figure = row.figures[column]
                html += "<td data-value=\"\(figure.map { "\($0.value)" } ?? "")\">\(Markup.escape(figure?.text ?? "-"))</td>"
            }
            html += "</tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    /// Dots with whiskers, one line per row, best at the top.
    private func chart(_ table: Leaderboard.Table) -> String {
        let figures = table.rows.map { $0.figures[table.rankedBy] }
        let values = figures.flatMap { figure in [figure?.value, figure?.lower, figure?.upper].compactMap { $0 } }
        guard let low = values.min(), let high = values.max() else { return "" }
        let c = Markup.coordinate, rowHeight = 18.0, left = 280.0, width = 720.0, top = 30.0
        let height = top + rowHeight * Double(table.rows.count) + 30
        let padding = Swift.max((high - low) * 0.05, 1e-3)
        let x = LinearScale(domain: (low - padding)...(high + padding), start: left, end: width - 20)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart leaderboard\" width=\"\(c(width))\" height=\"\(c(height))\" "
            + "viewBox=\"0 0 \(c(width)) \(c(height))\" role=\"img\" font-family=\"sans-serif\" font-size=\"11\">\n"
            + "<rect x=\"0\" y=\"0\" width=\"\(c(width))\" height=\"\(c(height))\" fill=\"#ffffff\"/>\n"
            + "<text x=\"\(c(width / 2))\" y=\"18\" text-anchor=\"middle\" font-weight=\"bold\">\(Markup.escape(table.rankedBy))"
            + (table.lowerIsBetter ? " (lower is better)" : " (higher is better)") + "</text>\n"
        for tick in x.ticks(approximately: 6) {
            svg += "<line x1=\"\(c(x(tick)))\" y1=\"\(c(top))\" x2=\"\(c(x(tick)))\" y2=\"\(c(height - 24))\" stroke=\"#e4e4e4\"/>"
                + "<text x=\"\(c(x(tick)))\" y=\"\(c(height - 10))\" text-anchor=\"middle\">"
                + "\(LinearScale.label(tick, step: x.tickStep(approximately: 6)))</text>\n"
        }
        for (index, (row, figure)) in zip(table.rows, figures).enumerated() {
            guard let figure else { continue }
            let y = top + rowHeight * (Double(index) + 0.5)
            svg += "<text x=\"\(c(left - 8))\" y=\"\(c(y + 4))\" text-anchor=\"end\">\(Markup.escape(String(row.method.prefix(44))))</text>"
            if let lower = figure.lower, let upper = figure.upper {
                svg += "<line x1=\"\(c(x(lower)))\" y1=\"\(c(y))\" x2=\"\(c(x(upper)))\" y2=\"\(c(y))\" stroke=\"\(ChartColors.gray)\" stroke-width=\"2\"/>"
            }
            svg += "<circle cx=\"\(c(x(figure.value)))\" cy=\"\(c(y))\" r=\"4\" fill=\"\(index == 0 ? ChartColors.vermillion : ChartColors.blue)\"/>\n"
        }
        return svg + "</svg>\n"
    }

    /// Sorts a table by the clicked column (numbers as numbers, "-" last); a second click
    /// reverses. A link ending in `#sort=T-C` (or `#sort=T-C-descending`) opens the page with
    /// table T sorted by column C, so that a sorted view can be shared.
    static let script = """
        document.querySelectorAll('table.sortable th[data-column]').forEach(function (header) {
          header.style.cursor = 'pointer';
          header.addEventListener('click', function () {
            var table = header.closest('table'), body = table.tBodies[0], column = +header.dataset.column;
            var ascending = header.dataset.order !== 'ascending';
            table.querySelectorAll('th[data-column]').forEach(function (other) { delete other.dataset.order; });
            header.dataset.order = ascending ? 'ascending' : 'descending';
            var rows = Array.prototype.slice.call(body.rows);
            rows.sort(function (a, b) {
              var x = a.cells[column].dataset.value, y = b.cells[column].dataset.value;
              if (x === '' || y === '') { return x === y ? 0 : (x === '' ? 1 : -1); }
              var p = parseFloat(x), q = parseFloat(y);
              var order = (isNaN(p) || isNaN(q)) ? x.localeCompare(y) : p - q;
              return ascending ? order : -order;
            });
            rows.forEach(function (row) { body.appendChild(row); });
          });
        });
        (function () {
          var match = /^#sort=(\\d+)-(\\d+)(-descending)?$/.exec(location.hash);
          var header = match && document.querySelector('#board-' + match[1] + ' th[data-column="' + match[2] + '"]');
          if (header) { header.click(); if (match[3]) { header.click(); } }
        })();
        """
}
