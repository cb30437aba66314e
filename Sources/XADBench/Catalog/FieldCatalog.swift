/// The survey's map of explainable anomaly detection as data: methods with their family, needs and
/// paper, the data sets and the metrics of the field. XADKit's own methods are marked from the
/// registries (``FieldCatalog/marking(implemented:summaries:)``), never by hand.
///
/// ```swift
/// let catalog = FieldCatalog.survey.marking(implemented: Set(Detectors.names + Explainers.names))
/// print(catalog.methods.filter(\.isImplemented).map(\.name))
/// ```
public struct FieldCatalog: Sendable, Codable, Equatable {
    /// The version of the catalog's content; raised whenever entries change.
    public var version: Int
    public var methods: [FieldMethod]
    public var datasets: [FieldDataset]
    public var metrics: [FieldMetric]

    public init(version: Int, methods: [FieldMethod], datasets: [FieldDataset], metrics: [FieldMetric]) {
        self.version = version
        self.methods = methods
        self.datasets = datasets
        self.metrics = metrics
    }

    /// The catalog as shipped: the methods, data sets and metrics of the survey and its resource list.
    public static var survey: FieldCatalog {
        FieldCatalog(version: 1, methods: FieldMethod.imageDetectors + FieldMethod.videoDetectors + FieldMethod.explainers,
                     datasets: FieldDataset.all, metrics: FieldMetric.all)
    }

    /// The catalog with ``FieldMethod/isImplemented`` set for every method whose id is a registry
    /// name in `implemented`; a registered name the catalog lacks becomes an entry of its own
    /// (family unknown), so a new XADKit method always appears.
    public func marking(implemented: Set<String>, summaries: [String: String] = [:]) -> FieldCatalog {
        var copy = self
        for index in copy.methods.indices {
            copy.methods[index].isImplemented = implemented.contains(copy.methods[index].id)
        }
        let known = Set(methods.map(\.id))
        for name in implemented.subtracting(known).sorted() {
            copy.methods.append(FieldMethod(id: name, name: name, family: .unclassified, role: .detector, modalities: [.image],
                                            needs: [], summary: summaries[name] ?? "registered in XADKit; not in the survey's catalog",
                                            paper: nil, isImplemented: true))
        }
        return copy
    }
}

/// One method of the field.
public struct FieldMethod: Sendable, Codable, Equatable, Identifiable {
    /// A short identifier; for a method XADKit implements, its registry name (`padim`, `grad-cam`).
    public var id: String
    /// The name papers use, e.g. "PatchCore".
    public var name: String
    public var family: MethodFamily
    /// Whether it detects anomalies or explains another model's score.
    public var role: MethodRole
    /// The modalities it was published for.
    public var modalities: [Modality]
    /// What it needs, sorted (an array, so that exports list them in a stable order).
    public var needs: [MethodNeed]
    /// One sentence: what it computes and how it explains.
    public var summary: String
    /// Where it transfers (e.g. an image explainer applied per frame) and why.
    public var transfers: [Transfer]
    public var paper: Paper?
    /// Whether XADKit implements it (set by ``FieldCatalog/marking(implemented:summaries:)``).
    public var isImplemented: Bool

    public init(id: String, name: String, family: MethodFamily, role: MethodRole, modalities: [Modality],
                needs: Set<MethodNeed>, summary: String, transfers: [Transfer] = [], paper: Paper?, isImplemented: Bool = false) {
        self.id = id
        self.name = name
        self.family = family
        self.role = role
        self.modalities = modalities
        self.needs = needs.sorted()
        self.summary = summary
        self.transfers = transfers
        self.paper = paper
        self.isImplemented = isImplemented
    }
}

/// The survey's families of explainable anomaly detection (Wang et al., "Explainable Anomaly
/// Detection in Images and Videos: A Survey"); post-hoc explainers sit in the family of their
/// mechanism (gradients: attention-based; masking: input perturbation) with the role `explainer`.
public enum MethodFamily: String, Sendable, Codable, CaseIterable {
    case attention = "attention-based"
    case inputPerturbation = "input-perturbation"
    case generative
    case foundationModel = "foundation-model"
    case reasoning
    case intrinsic
    case memory = "feature-embedding / memory"
    case unclassified
}

/// Whether a method detects or explains.
public enum MethodRole: String, Sendable, Codable {
    case detector
    case explainer
}

/// Images or videos.
public enum Modality: String, Sendable, Codable, CaseIterable {
    case image
    case video
}

/// What a method needs to run.
public enum MethodNeed: String, Sendable, Codable, CaseIterable, Comparable {
    case gradients
    case memoryBank = "memory bank"
    case training
    case pretrainedModel = "pretrained model"
    case languageModel = "language model"
    case anomalousExamples = "labelled anomalies"
    case motion

    public static func < (lhs: MethodNeed, rhs: MethodNeed) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A method applied in another modality than it was published for.
public struct Transfer: Sendable, Codable, Equatable {
    public var modality: Modality
    public var why: String

    public init(_ modality: Modality, _ why: String) {
        self.modality = modality
        self.why = why
    }
}

/// A publication.
public struct Paper: Sendable, Codable, Equatable {
    public var title: String
    public var authors: String
    public var year: Int
    public var venue: String

    public init(_ title: String, _ authors: String, _ year: Int, _ venue: String) {
        self.title = title
        self.authors = authors
        self.year = year
        self.venue = venue
    }

    /// "Authors (Venue Year)".
    public var citation: String { "\(authors) (\(venue) \(year))" }
}

/// A benchmark data set of the field.
public struct FieldDataset: Sendable, Codable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var modality: Modality
    public var domain: String
    /// Its size, in words (e.g. "5,354 images, 15 categories").
    public var size: String
    public var annotation: AnnotationLevel
    public var paper: Paper?
    /// The `--format` XADKit reads it with, if any.
    public var xadFormat: String?

    public init(id: String, name: String, modality: Modality, domain: String, size: String,
                annotation: AnnotationLevel, paper: Paper?, xadFormat: String? = nil) {
        self.id = id
        self.name = name
        self.modality = modality
        self.domain = domain
        self.size = size
        self.annotation = annotation
        self.paper = paper
        self.xadFormat = xadFormat
    }
}

/// How finely a data set's anomalies are marked.
public enum AnnotationLevel: String, Sendable, Codable {
    case imageLabels = "image labels"
    case boxes
    case pixelMasks = "pixel masks"
    case frameLabels = "frame labels"
    case framePixelMasks = "frame labels and pixel masks"
}

/// A metric of the field, for detection or for explanations.
public struct FieldMetric: Sendable, Codable, Equatable, Identifiable {
    public var id: String
    public var name: String
    /// What it scores: "image", "pixel", "region", "frame", "explanation".
    public var level: String
    public var measures: String

    public init(id: String, name: String, level: String, measures: String) {
        self.id = id
        self.name = name
        self.level = level
        self.measures = measures
    }
}
