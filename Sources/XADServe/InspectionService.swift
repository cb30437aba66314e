import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import XADDetect
import XADExplain
import XADImage
import XADTensor

/// A fitted detector served over HTTP: score and explain images, describe the model, report
/// health and metrics, and a web page to try it (the routes are listed in ``routes``).
///
/// Requests that arrive together are scored as one batch (``ServeSettings/batchSize``); the limits
/// in ``ServeSettings`` bound the queue, the body, the decoded image and each request's time. On
/// SIGTERM or SIGINT the server stops accepting connections, finishes the requests it holds, and
/// ``run(onRunning:)`` returns.
///
/// ```swift
/// let model = try SavedModel.load(URL(fileURLWithPath: "pcb.xadm"))
/// let service = try InspectionService(model: model, settings: ServeSettings())
/// try await service.run { port in print("listening on port \(port)") }
/// ```
public struct InspectionService: Sendable {
    /// Every route: method, path and what it does (the web page and the OpenAPI document say the same).
    public static let routes = [
        ("GET", "/", "the web page: upload an image, see its score, verdict, overlay and explanations"),
        ("GET", "/healthz", "liveness, answered without a token"),
        ("GET", "/metrics", "Prometheus metrics"),
        ("GET", "/openapi.json", "the API's OpenAPI 3.1 document"),
        ("GET", "/v1/model", "the served model: detector, options, threshold, training record, explainers, limits"),
        ("POST", "/v1/score", "score an image (raw body or multipart form)"),
        ("POST", "/v1/explain?method=M", "explain an image's score with method M"),
    ]

    public let model: SavedModel
    public let settings: ServeSettings
    let metrics: ServiceMetrics
    let queue: InferenceQueue
    /// What contextual explainers (healing, exemplars) get: the model's training images.
    let explanationContext: ExplanationContext
    let modelDescription: ModelResponse
    let logger: Logger

    /// A service of `model`; `loadSeconds` (how long loading it took) is reported by `/metrics`.
    /// - Throws: ``ServeError`` for settings the service cannot run with (``ServeSettings/validate()``).
    public init(model: SavedModel, settings: ServeSettings, loadSeconds: Double = 0) throws {
        try settings.validate()
        self.model = model
        self.settings = settings
        let metrics = ServiceMetrics(modelLoadSeconds: loadSeconds, batchSize: settings.batchSize)
        self.metrics = metrics
        queue = InferenceQueue(detector: model.detector, settings: settings,
                               depthChanged: { metrics.setQueueDepth($0) }, batchScored: { metrics.recordBatch($0) })
        explanationContext = ExplanationContext(normalImages: model.trainingImages, conceptFolder: nil)
        modelDescription = try ModelResponse(model: model, explainers: Explainers.configured(Explainers.all, with: explanationContext),
                                             settings: settings, loadSeconds: loadSeconds)
        var logger = Logger(label: "xad-serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .notice
        self.logger = logger
    }

    /// Serves until SIGTERM or SIGINT, then finishes the requests in flight and returns.
    /// - Parameter onRunning: called once the server listens, with its port (the one picked for port 0).
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [application(onRunning: onRunning)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do { try await group.run() } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw ServeError.configuration("\(settings.host):\(settings.port) is already in use: pick another --port (0 picks a free one)")
        }
    }

    /// The Hummingbird application, to run inside a caller's own `ServiceGroup` (tests do).
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: router(), configuration: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port), serverName: "xad"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? settings.port) }, logger: logger)
    }

    private func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ServiceMiddleware(metrics: metrics, token: settings.token))
        router.get("/") { _, _ in Self.text(WebPage.html(galleryCount: settings.galleryCount), type: "text/html; charset=utf-8") }
        router.get("/healthz") { _, _ in try Self.json(["status": "ok"]) }
        router.get("/metrics") { _, _ in Self.text(metrics.text, type: "text/plain; version=0.0.4") }
        router.get("/openapi.json") { _, _ in Self.text(OpenAPIDocument.json, type: "application/json") }
        router.get("/v1/model") { _, _ in try Self.json(modelDescription) }
        router.post("/v1/score") { request, _ in try await score(request) }
        router.post("/v1/explain") { request, _ in try await explain(request) }
        return router
    }

    /// `POST /v1/score`.
    private func score(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let image = try await decodedImage(request)
        let decoded = ContinuousClock.now
        let scored = try await queue.score(image)
        let encoding = ContinuousClock.now
        let result = scored.result, threshold = model.threshold
        let withMaps = request.uri.queryParameters.get("maps") != "false"
        // The overlay uses the model's normalised range, as `xad predict --maps` does, so colours compare across images.
        let range = model.normalisation.map { Float($0.raw(0))...Float($0.raw(1)) }
        let map = withMaps ? try PNGDataURL.gray(result.map, range: range) : nil
        let shown = withMaps ? try PNGDataURL.encode(overlay(heatmap: result.map, on: image, alpha: 0.5, range: range)) : nil
        let response = ScoreResponse(
            score: result.score, normalisedScore: model.normalisation.map { $0(Double(result.score)) },
            label: threshold.map { result.score >= $0 ? "anomalous" : "normal" }, threshold: threshold,
            width: image.shape[3], height: image.shape[2], map: map, overlay: shown,
            timings: Timings(from: started, decoded: decoded, encoding: encoding,
                             queueSeconds: scored.queueSeconds, computeSeconds: scored.computeSeconds, batch: scored.batch))
        return try Self.json(response)
    }

    /// `POST /v1/explain?method=M[&target=T][&set=key=value...]`.
    private func explain(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let query = request.uri.queryParameters
        guard let method = query.get("method") else {
            throw ServeError(.badRequest, "name the explanation method: /v1/explain?method=\(Explainers.names.first ?? "METHOD") (known: \(Explainers.names.joined(separator: ", ")))")
        }
        let overrides = try OptionOverrides(settings: query.getAll("set"))
        let explainer = Explainers.configured([try Explainers.named(method, options: overrides)], with: explanationContext)[0]
        let target = try ExplanationTarget(parsing: query.get("target") ?? "image")
        let image = try await decodedImage(request)
        try target.check(imageSize: Size2(height: image.shape[2], width: image.shape[3]))
        let decoded = ContinuousClock.now
        let explained = try await queue.explain(image, with: explainer, target: target)
        let encoding = ContinuousClock.now
        let explanation = explained.explanation
        let map = try PNGDataURL.gray(explanation.map)
        let shown = try PNGDataURL.encode(overlay(heatmap: explanation.map, on: image, alpha: 0.5))
        let extras = try explanation.images.mapValues { try PNGDataURL.encode(ExplanationFiles.displayable($0)) }
        let response = ExplainResponse(
            method: explanation.method, target: explanation.target.description, targetValue: explanation.targetValue,
            map: map, overlay: shown, images: extras, values: explanation.values, options: explanation.options,
            timings: Timings(from: started, decoded: decoded, encoding: encoding,
                             queueSeconds: explained.queueSeconds, computeSeconds: explained.computeSeconds, batch: 1))
        return try Self.json(response)
    }

    /// The request's image, decoded within the body and pixel limits.
    private func decodedImage(_ request: Request) async throws -> Tensor {
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: settings.maximumBodyBytes) } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw ServeError(.contentTooLarge, "the request body is above the limit of \(settings.maximumBodyBytes) bytes")
        }
        let upload = try ImageUpload(body: Data(buffer: body), contentType: request.headers[.contentType])
        return try upload.decoded(maximumPixels: settings.maximumPixels)
    }

    private static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return response(try encoder.encode(value), type: "application/json")
    }

    private static func text(_ text: String, type: String) -> Response { response(Data(text.utf8), type: type) }

    private static func response(_ data: Data, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension Timings {
    /// Timings from the instants a handler noted and the queue's own measurements.
    init(from started: ContinuousClock.Instant, decoded: ContinuousClock.Instant, encoding: ContinuousClock.Instant,
         queueSeconds: Double, computeSeconds: Double, batch: Int) {
        let now = ContinuousClock.now
        self.init(decodeMs: (decoded - started).seconds * 1000, queueMs: queueSeconds * 1000, computeMs: computeSeconds * 1000,
                  encodeMs: (now - encoding).seconds * 1000, totalMs: (now - started).seconds * 1000, batch: batch)
    }
}
