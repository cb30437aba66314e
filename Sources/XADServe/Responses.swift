import Foundation
import XADDetect
import XADExplain
import XADImage
import XADMetrics
import XADTensor

/// `POST /v1/score`: the detector's verdict on one image.
struct ScoreResponse: Codable, Sendable {
    /// The raw anomaly score, as `xad predict` prints it.
    var score: Float
    /// The score on the model's 0...1 scale (0.5 is the threshold), when the model has one.
    var normalisedScore: Double?
    /// "anomalous" when score >= threshold, else "normal"; nil without a threshold.
    var label: String?
    var threshold: Float?
    var width: Int
    var height: Int
    /// The anomaly map as an 8-bit gray PNG (`data:` URL) on the model's normalised range (min-max
    /// of the map without one), and the map in colour over the image; nil with `maps=false`.
    var map: String?
    var overlay: String?
    var timings: Timings
}

/// `POST /v1/explain`: one method's explanation of one image.
struct ExplainResponse: Codable, Sendable {
    var method: String
    /// The target in its text form (`image`, `topk:K`, `region:x1,y1,x2,y2`) and its value.
    var target: String
    var targetValue: Float
    /// The relevance map as an 8-bit gray PNG `data:` URL (min-max scaled), and in colour over the image.
    var map: String
    var overlay: String
    /// The method's extra images (counterfactual, difference, exemplars) as PNG `data:` URLs.
    var images: [String: String]
    var values: [String: Double]
    var options: [String: String]
    var timings: Timings
}

/// Where a request's time went, in milliseconds.
struct Timings: Codable, Sendable {
    var decodeMs: Double
    var queueMs: Double
    var computeMs: Double
    var encodeMs: Double
    var totalMs: Double
    /// How many images were scored in the same pass of the detector (1 for explanations).
    var batch: Int
}

/// `GET /v1/model`: what is being served.
struct ModelResponse: Codable, Sendable {
    var detector: String
    var summary: String
    var options: JSONValue
    var setup: DetectorSetup
    var threshold: Float?
    var normalisation: MinMaxNormaliser?
    var training: TrainingRecord?
    var trainingImages: Int?
    /// Every registered explanation method, and why it cannot explain this model (nil when it can).
    var explainers: [ExplainerEntry]
    var limits: Limits
    /// Seconds loading the model took.
    var loadSeconds: Double

    struct ExplainerEntry: Codable, Sendable {
        var name: String
        var summary: String
        var unavailable: String?
    }

    struct Limits: Codable, Sendable {
        var batchSize: Int
        var batchWindowMs: Double
        var queueLimit: Int
        var maximumBodyBytes: Int
        var maximumPixels: Int
        var requestTimeoutSeconds: Double
        var galleryCount: Int
    }

    init(model: SavedModel, explainers: [any Explainer], settings: ServeSettings, loadSeconds: Double) throws {
        detector = type(of: model.detector).name
        summary = type(of: model.detector).summary
        options = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(model.detector.options))
        setup = model.detector.setup
        (threshold, normalisation, training) = (model.threshold, model.normalisation, model.training)
        trainingImages = model.trainingImagePaths?.count
        self.explainers = explainers.map { explainer in
            ExplainerEntry(name: type(of: explainer).name, summary: type(of: explainer).summary,
                           unavailable: explainer.unmetNeeds(of: model.detector))
        }
        limits = Limits(batchSize: settings.batchSize, batchWindowMs: settings.batchWindow.seconds * 1000,
                        queueLimit: settings.queueLimit, maximumBodyBytes: settings.maximumBodyBytes,
                        maximumPixels: settings.maximumPixels, requestTimeoutSeconds: settings.requestTimeout.seconds,
                        galleryCount: settings.galleryCount)
        self.loadSeconds = loadSeconds
    }
}

/// Pictures as JSON carries them.
enum PNGDataURL {
    /// `image` (`[1, C, H, W]` or `[C, H, W]` in 0...1) as a `data:image/png;base64,` URL.
    static func encode(_ image: Tensor) throws -> String {
        "data:image/png;base64," + (try Image(tensor: image).encoded(as: .png)).base64EncodedString()
    }

    /// A map `[H, W]` as a gray PNG URL, scaled so that `range` (the map's own min...max when nil)
    /// spans black to white.
    static func gray(_ map: Tensor, range: ClosedRange<Float>? = nil) throws -> String {
        let values = map.scalars
        let low = range?.lowerBound ?? values.min() ?? 0, high = range?.upperBound ?? values.max() ?? 1
        let span = high > low ? high - low : 1
        let scaled = try Tensor(shape: [1, 1] + map.shape, scalars: values.map { ($0 - low) / span })
        return try encode(scaled)
    }
}
