/// The catalog as a graph: methods, families, needs, modalities, data sets and metrics as nodes;
/// "belongs to", "needs", "made for", "transfers to", "implemented in" as edges.
///
/// ```swift
/// let graph = KnowledgeGraph(FieldCatalog.survey.marking(implemented: ["padim"]))
/// try graph.dot.write(toFile: "field.dot", atomically: true, encoding: .utf8)
/// ```
public struct KnowledgeGraph: Sendable, Equatable {
    /// A node: its identifier (unique over the graph), kind and label.
    public struct Node: Sendable, Equatable, Hashable {
        public var id: String
        public var kind: Kind
        public var label: String
    }

    /// What a node stands for.
    public enum Kind: String, Sendable, Equatable, Hashable, CaseIterable {
        case method, family, need, modality, dataset, metric, toolkit
    }

    /// A directed, labelled edge.
    public struct Edge: Sendable, Equatable, Hashable {
        public var from: String
        public var relation: String
        public var to: String
    }

    public private(set) var nodes: [Node] = []
    public private(set) var edges: [Edge] = []

    /// The node that implemented methods link to.
    public static let toolkit = "toolkit:XADKit"

    public init(_ catalog: FieldCatalog) {
        add(Self.toolkit, .toolkit, "XADKit")
        for family in MethodFamily.allCases { add(Self.id(family), .family, family.rawValue) }
        for need in MethodNeed.allCases { add(Self.id(need), .need, need.rawValue) }
        for modality in Modality.allCases { add(Self.id(modality), .modality, modality.rawValue) }
        for method in catalog.methods {
            let node = Self.id(method)
            add(node, .method, method.name)
            link(node, "belongs to", Self.id(method.family))
            for need in method.needs { link(node, "needs", Self.id(need)) }
            for modality in method.modalities { link(node, "made for", Self.id(modality)) }
            for transfer in method.transfers { link(node, "transfers to", Self.id(transfer.modality)) }
            if method.isImplemented { link(node, "implemented in", Self.toolkit) }
        }
        for dataset in catalog.datasets {
            add("dataset:\(dataset.id)", .dataset, dataset.name)
            link("dataset:\(dataset.id)", "of", Self.id(dataset.modality))
        }
        for metric in catalog.metrics {
            add("metric:\(metric.id)", .metric, metric.name)
            let modality: Modality = metric.level == "frame" ? .video : .image
            link("metric:\(metric.id)", "scores", Self.id(modality))
        }
    }

    /// The graph in Graphviz DOT: families as clusters, methods XADKit implements filled.
    public var dot: String {
        var lines = ["digraph XAD {", "  graph [rankdir=LR, fontname=\"Helvetica\", label=\"Explainable anomaly detection: the field\"];",
                     "  node [fontname=\"Helvetica\", fontsize=10];"]
        let implemented = Set(edges.filter { $0.to == Self.toolkit }.map(\.from))
        for family in MethodFamily.allCases {
            let members = edges.filter { $0.relation == "belongs to" && $0.to == Self.id(family) }.map(\.from)
            guard !members.isEmpty else { continue }
            lines.append("  subgraph \(Self.quoted("cluster_" + family.rawValue)) {")
            lines.append("    label=\(Self.quoted(family.rawValue));")
            for member in members {
                let style = implemented.contains(member) ? ", style=filled, fillcolor=\"#9fd89f\"" : ""
                lines.append("    \(Self.quoted(member)) [label=\(Self.quoted(label(of: member))), shape=box\(style)];")
            }
            lines.append("  }")
        }
        for node in nodes where node.kind != .method && node.kind != .family {
            lines.append("  \(Self.quoted(node.id)) [label=\(Self.quoted(node.label)), shape=\(Self.shape(node.kind))];")
        }
        for edge in edges where edge.relation != "belongs to" {
            lines.append("  \(Self.quoted(edge.from)) -> \(Self.quoted(edge.to)) [label=\(Self.quoted(edge.relation)), fontsize=8];")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The label of the node `id` (the id itself if unknown).
    public func label(of id: String) -> String {
        nodes.first { $0.id == id }?.label ?? id
    }

    private mutating func add(_ id: String, _ kind: Kind, _ label: String) {
        nodes.append(Node(id: id, kind: kind, label: label))
    }

    private mutating func link(_ from: String, _ relation: String, _ to: String) {
        edges.append(Edge(from: from, relation: relation, to: to))
    }

    static func id(_ method: FieldMethod) -> String { "method:\(method.id)" }
    static func id(_ family: MethodFamily) -> String { "family:\(family.rawValue)" }
    static func id(_ need: MethodNeed) -> String { "need:\(need.rawValue)" }
    static func id(_ modality: Modality) -> String { "modality:\(modality.rawValue)" }

    private static func shape(_ kind: Kind) -> String {
        switch kind {
        case .need: "ellipse"
        case .modality, .toolkit: "doubleoctagon"
        case .dataset: "cylinder"
        case .metric: "note"
        case .method, .family: "box"
        }
    }

    /// `text` as a DOT string: quoted, with quotes and backslashes escaped.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
