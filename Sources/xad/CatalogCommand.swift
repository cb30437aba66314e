import ArgumentParser
import Foundation
import XADBench
import XADData
import XADDetect
import XADExplain

/// `xad catalog`: the field's knowledge graph (methods, families, needs, data sets, metrics,
/// papers), with what XADKit implements read from its registries.
struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "The knowledge graph of explainable anomaly detection, as JSON, JSON-LD, DOT or a web page.",
        discussion: """
            Lists the methods of the field (image and video detectors by the survey's families, and the \
            post-hoc explainers) with what each needs, where it transfers, its paper, and whether XADKit \
            implements it (read from the detector and explainer registries), plus the data sets and \
            metrics. The html page has a search box and the graph (rendered by Graphviz's dot when \
            installed). Without --out the text goes to stdout.

            Example:
              xad catalog --format html --out catalog.html
              xad catalog --format dot | dot -Tsvg > field.svg
            """
    )

    @Option(help: "json, jsonld, dot or html.")
    var format: String = "json"

    @Option(help: "Write to this file (atomically) instead of stdout.")
    var out: String?

    func run() throws {
        guard let chosen = CatalogExport.Format(rawValue: format) else {
            let known = CatalogExport.Format.allCases.map(\.rawValue).joined(separator: ", ")
            throw CommandError.usage("unknown --format '\(format)'; known formats: \(known)")
        }
        if let out { try checkWritable(out, option: "--out") }
        let catalog = Self.catalog
        let svg = chosen == .html ? try CatalogExport.graphvizSVG(KnowledgeGraph(catalog).dot) : nil
        if chosen == .html && svg == nil {
            FileHandle.standardError.write(Data("xad catalog: Graphviz's dot is not installed; the page has no graph\n".utf8))
        }
        let text = try CatalogExport.render(catalog, as: chosen, graphSVG: svg)
        if let out {
            try writeAtomically(Data(text.utf8), to: out, what: "catalog")
        } else {
            print(text, terminator: "")
        }
    }

    /// The survey's catalog with XADKit's registered detectors and explainers marked.
    static var catalog: FieldCatalog {
        var summaries: [String: String] = [:]
        for detector in Detectors.all { summaries[detector.name] = detector.summary }
        for description in Explainers.descriptions { summaries[description.name] = description.summary }
        return FieldCatalog.survey.marking(implemented: Set(summaries.keys), summaries: summaries)
    }
}
