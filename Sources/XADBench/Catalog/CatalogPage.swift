/// The catalog as one self-contained HTML page: a search box that filters every table as you
/// type, the methods (implemented ones marked), data sets, metrics, and the graph as inline SVG.
struct CatalogPage {
    var catalog: FieldCatalog
    /// The knowledge graph rendered by Graphviz, or nil when Graphviz is not installed.
    var graphSVG: String?

    var html: String {
        let implemented = catalog.methods.filter(\.isImplemented).count
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>XADKit catalog of explainable anomaly detection</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
        table { border-collapse: collapse; margin-bottom: 2em; width: 100%; font-size: 14px; }
        th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: #f3f3f3; } tr.implemented td:first-child { font-weight: bold; color: #1a7f37; }
        input#search { font-size: 16px; padding: 6px; width: 30em; margin-bottom: 1em; }
        .graph svg { max-width: 100%; height: auto; border: 1px solid #ddd; }
        </style></head><body>
        <h1>Explainable anomaly detection: the field</h1>
        <p>\(catalog.methods.count) methods (\(implemented) in XADKit, in bold), \(catalog.datasets.count) data sets, \
        \(catalog.metrics.count) metrics. Catalog version \(catalog.version). Families follow the survey of Wang et al.,
        "Explainable Anomaly Detection in Images and Videos".</p>
        <input id="search" type="search" placeholder="Search methods, data sets, metrics, papers..." autofocus>
        <h2>Methods</h2>
        <table id="methods"><thead><tr><th>Method</th><th>Family</th><th>Role</th><th>Modality</th><th>Needs</th>\
        <th>What it does</th><th>Paper</th></tr></thead><tbody>
        \(catalog.methods.map(methodRow).joined(separator: "\n"))
        </tbody></table>
        <h2>Data sets</h2>
        <table id="datasets"><thead><tr><th>Data set</th><th>Modality</th><th>Domain</th><th>Size</th><th>Annotation</th>\
        <th>XADKit format</th><th>Paper</th></tr></thead><tbody>
        \(catalog.datasets.map(datasetRow).joined(separator: "\n"))
        </tbody></table>
        <h2>Metrics</h2>
        <table id="metrics"><thead><tr><th>Metric</th><th>Level</th><th>Measures</th></tr></thead><tbody>
        \(catalog.metrics.map { "<tr><td>\(Markup.escape($0.name))</td><td>\($0.level)</td><td>\(Markup.escape($0.measures))</td></tr>" }.joined(separator: "\n"))
        </tbody></table>
        <h2>Graph</h2>
        <div class="graph">\(graphSVG.map(Self.inlineSVG) ?? "<p>Install Graphviz (<code>apt-get install graphviz</code>) and run <code>xad catalog --format html</code> again to see the graph here; <code>xad catalog --format dot</code> writes its source.</p>")</div>
        <script>
        const search = document.getElementById('search');
        search.addEventListener('input', () => {
          const words = search.value.toLowerCase().split(/\\s+/).filter(w => w);
          for (const row of document.querySelectorAll('tbody tr')) {
            const text = row.textContent.toLowerCase();
            row.style.display = words.every(w => text.includes(w)) ? '' : 'none';
          }
        });
        </script>
        </body></html>
        """
    }

    private func methodRow(_ method: FieldMethod) -> String {
        let cells = [method.name + (method.isImplemented ? " (\(method.id))" : ""), method.family.rawValue, method.role.rawValue,
                     method.modalities.map(\.rawValue).joined(separator: ", "),
                     method.needs.map(\.rawValue).joined(separator: ", "), method.summary,
                     method.paper.map { "\($0.title). \($0.citation)" } ?? ""]
        let row = cells.map { "<td>\(Markup.escape($0))</td>" }.joined()
        return "<tr\(method.isImplemented ? " class=\"implemented\"" : "")>\(row)</tr>"
    }

    private func datasetRow(_ dataset: FieldDataset) -> String {
        let cells = [dataset.name, dataset.modality.rawValue, dataset.domain, dataset.size, dataset.annotation.rawValue,
                     dataset.xadFormat ?? "", dataset.paper.map { "\($0.title). \($0.citation)" } ?? ""]
        return "<tr>" + cells.map { "<td>\(Markup.escape($0))</td>" }.joined() + "</tr>"
    }

    /// Graphviz's SVG without its XML prologue and doctype, which are not allowed inside HTML.
    private static func inlineSVG(_ svg: String) -> String {
        guard let start = svg.range(of: "<svg") else { return "" }
        return String(svg[start.lowerBound...])
    }
}
