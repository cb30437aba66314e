import Foundation
import Testing
import XADDetect
import XADExplain
@testable import XADBench

/// The knowledge graph of the field: big enough to be a map (60+ methods), every XADKit method
/// on it and marked from the registries, and every export readable by the tools it is for.
@Suite("Catalog of the field")
struct CatalogTests {
    static let builtInNames = Detectors.builtIn.map { $0.name } + Explainers.builtIn.map { $0.name }
    let catalog = FieldCatalog.survey.marking(implemented: Set(Self.builtInNames))

    @Test func coversTheFieldWithUniqueIdentifiers() {
        #expect(FieldCatalog.survey.methods.count >= 60)
        #expect(Set(catalog.methods.map(\.id)).count == catalog.methods.count)
        #expect(Set(catalog.datasets.map(\.id)).count == catalog.datasets.count)
        for family in MethodFamily.allCases where family != .unclassified {
            #expect(catalog.methods.contains { $0.family == family }, "no method in family \(family.rawValue)")
        }
        #expect(catalog.methods.contains { $0.modalities.contains(.video) && $0.role == .detector })
    }

    @Test func everyBuiltInMethodIsInTheSurveyAndMarkedImplemented() {
        for name in Self.builtInNames {
            let entry = catalog.methods.first { $0.id == name }
            #expect(entry?.isImplemented == true, "\(name) is not marked implemented")
            #expect(entry.map { $0.family != .unclassified } == true, "\(name) has no entry of its own in the survey catalog")
        }
        #expect(catalog.methods.filter(\.isImplemented).count == Set(Self.builtInNames).count)
    }

    @Test func aRegisteredMethodTheCatalogLacksGetsAnEntry() {
        let marked = FieldCatalog.survey.marking(implemented: ["my-plugin"], summaries: ["my-plugin": "a plug-in"])
        let entry = marked.methods.first { $0.id == "my-plugin" }
        #expect(entry?.isImplemented == true && entry?.family == .unclassified && entry?.summary == "a plug-in")
        #expect(marked.methods.filter(\.isImplemented).count == 1)
    }

    @Test func jsonRoundTripsAndJSONLDIsLinkedData() throws {
        let json = try CatalogExport.render(catalog, as: .json)
        #expect(try JSONDecoder().decode(FieldCatalog.self, from: Data(json.utf8)) == catalog)

        let linked = try CatalogExport.render(catalog, as: .jsonld)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(linked.utf8)) as? [String: Any])
        #expect((document["@context"] as? [String: String])?["@vocab"] == "https://schema.org/")
        let graph = try #require(document["@graph"] as? [[String: Any]])
        #expect(graph.count == catalog.methods.count + catalog.datasets.count + catalog.metrics.count)
        let patchcore = graph.first { $0["@id"] as? String == "xad:method/patchcore" }
        #expect(patchcore?["xad:implementedInXADKit"] as? Bool == true)
        #expect((patchcore?["citation"] as? [String: Any])?["datePublished"] as? String == "2022")
    }

    @Test func theGraphLinksOnlyKnownNodesAndGraphvizRendersIt() throws {
        let graph = KnowledgeGraph(catalog)
        let ids = Set(graph.nodes.map(\.id))
        #expect(ids.count == graph.nodes.count)
        for edge in graph.edges {
            #expect(ids.contains(edge.from) && ids.contains(edge.to), "\(edge.from) -> \(edge.to)")
        }
        #expect(graph.edges.filter { $0.to == KnowledgeGraph.toolkit }.count == Set(Self.builtInNames).count)
        #expect(graph.edges.contains { $0.from == "method:grad-cam" && $0.relation == "transfers to" && $0.to == "modality:video" })
        #expect(KnowledgeGraph.quoted("a \"b\" \\c") == #""a \"b\" \\c""#)

        // Graphviz is installed by scripts/setup.sh; under CI=true a missing one is a failure.
        let svg = try CatalogExport.graphvizSVG(graph.dot)
        if ProcessInfo.processInfo.environment["CI"] == "true" { #expect(svg != nil, "Graphviz's dot is not installed") }
        if let svg {
            #expect(svg.contains("<svg") && svg.contains("PatchCore") && svg.contains("cluster_"))
        }
    }

    @Test func thePageHasSearchEveryTableAndTheGraph() throws {
        let page = try CatalogExport.render(catalog, as: .html, graphSVG: "<?xml version=\"1.0\"?>\n<svg id=\"g\"></svg>")
        #expect(page.contains("<input id=\"search\""))
        #expect(page.contains("<table id=\"methods\"") && page.contains("<table id=\"datasets\"") && page.contains("<table id=\"metrics\""))
        #expect(page.contains("<svg id=\"g\"></svg>") && !page.contains("<?xml"))
        #expect(page.components(separatedBy: "<tr class=\"implemented\">").count - 1 == Set(Self.builtInNames).count)
        let withoutGraph = try CatalogExport.render(catalog, as: .html)
        #expect(withoutGraph.contains("apt-get install graphviz"))
    }
}
