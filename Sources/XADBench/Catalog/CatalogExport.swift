import Foundation
import XADTensor

/// The catalog written out: plain JSON, JSON-LD (schema.org terms, for linked-data tools),
/// Graphviz DOT, and a self-contained HTML page with search and the graph.
public enum CatalogExport {
    /// The formats ``render(_:as:graphSVG:)`` writes.
    public enum Format: String, Sendable, CaseIterable {
        case json, jsonld, dot, html
    }

    /// The catalog in `format`. The HTML page embeds `graphSVG` (the DOT rendered by Graphviz)
    /// when given, and says how to get it when not.
    public static func render(_ catalog: FieldCatalog, as format: Format, graphSVG: String? = nil) throws -> String {
        switch format {
        case .json: try json(catalog)
        case .jsonld: try jsonLD(catalog)
        case .dot: KnowledgeGraph(catalog).dot
        case .html: CatalogPage(catalog: catalog, graphSVG: graphSVG).html
        }
    }

    /// Plain JSON: the ``FieldCatalog`` as Codable writes it, keys sorted.
    public static func json(_ catalog: FieldCatalog) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(catalog), as: UTF8.self) + "\n"
    }

    /// JSON-LD: methods as `SoftwareSourceCode` nodes with their family as `genre`, papers as
    /// `ScholarlyArticle` (`citation`), data sets as `Dataset`, metrics as `DefinedTerm`.
    public static func jsonLD(_ catalog: FieldCatalog) throws -> String {
        func article(_ paper: Paper?) -> [String: Any]? {
            guard let paper else { return nil }
            return ["@type": "ScholarlyArticle", "name": paper.title, "author": paper.authors,
                    "datePublished": String(paper.year), "publisher": paper.venue]
        }
        let methods: [[String: Any]] = catalog.methods.map { method in
            var node: [String: Any] = [
                "@id": "xad:method/\(method.id)", "@type": "SoftwareSourceCode", "name": method.name,
                "description": method.summary, "genre": method.family.rawValue, "applicationCategory": method.role.rawValue,
                "keywords": method.needs.map(\.rawValue), "xad:modality": method.modalities.map(\.rawValue),
                "xad:implementedInXADKit": method.isImplemented,
            ]
            if let citation = article(method.paper) { node["citation"] = citation }
            if !method.transfers.isEmpty {
                node["xad:transfersTo"] = method.transfers.map { ["xad:modality": $0.modality.rawValue, "description": $0.why] }
            }
            return node
        }
        let datasets: [[String: Any]] = catalog.datasets.map { dataset in
            var node: [String: Any] = ["@id": "xad:dataset/\(dataset.id)", "@type": "Dataset", "name": dataset.name,
                                       "description": "\(dataset.domain); \(dataset.size); \(dataset.annotation.rawValue)",
                                       "xad:modality": dataset.modality.rawValue]
            if let citation = article(dataset.paper) { node["citation"] = citation }
            return node
        }
        let metrics: [[String: Any]] = catalog.metrics.map {
            ["@id": "xad:metric/\($0.id)", "@type": "DefinedTerm", "name": $0.name, "description": $0.measures, "xad:level": $0.level]
        }
        let document: [String: Any] = [
            "@context": ["@vocab": "https://schema.org/", "xad": "https://github.com/xadkit/xadkit/catalog#"],
            "@id": "xad:catalog", "version": String(catalog.version),
            "@graph": methods + datasets + metrics,
        ]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The DOT rendered to SVG by Graphviz's `dot` when it is installed; nil when it is not.
    /// Throws when `dot` runs and fails.
    public static func graphvizSVG(_ dot: String) throws -> String? {
        let candidates = ["/usr/bin/dot", "/usr/local/bin/dot"]
        guard let executable = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-Tsvg"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        (process.standardInput, process.standardOutput, process.standardError) = (input, output, errors)
        try process.run()
        // Write and read concurrently so a large graph cannot fill both pipes and deadlock.
        let writer = Thread {
            input.fileHandleForWriting.write(Data(dot.utf8))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let svg = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CatalogError.graphviz(String(decoding: message, as: UTF8.self))
        }
        return String(decoding: svg, as: UTF8.self)
    }
}

/// Graphviz failed to render the catalog's graph.
public enum CatalogError: StatusReportingError, Equatable {
    case graphviz(String)

    /// A failing Graphviz is this machine's problem, not the user's request.
    public var exitStatus: ExitStatus { .internal }

    public var description: String {
        switch self {
        case .graphviz(let message): "graphviz's dot could not render the catalog graph: \(message)"
        }
    }
}
