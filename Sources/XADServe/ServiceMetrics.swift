import Hummingbird
import Prometheus

/// What `GET /metrics` reports, in Prometheus' text format:
///
/// - `xad_http_requests_total{route, method, status}`: requests answered;
/// - `xad_http_request_duration_seconds{route}`: a latency histogram per route;
/// - `xad_queue_depth`: requests waiting for the detector now;
/// - `xad_batch_images`: a histogram of how many images each detector pass scored;
/// - `xad_model_load_seconds`: how long loading the model took.
///
/// Each service owns its registry (no process-wide metrics system), so services started side by
/// side, as tests do, count separately.
final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// The routes counted by name; any other path counts as `unmatched`, so that scanners cannot
    /// grow the number of series.
    static let routes: Set<String> = ["/", "/healthz", "/metrics", "/openapi.json", "/v1/model", "/v1/score", "/v1/explain"]
    private static let latencyBuckets: [Duration] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
        .map { .milliseconds(Int($0 * 1000)) }

    private let queueDepth: Gauge
    private let batchImages: ValueHistogram

    init(modelLoadSeconds: Double, batchSize: Int) {
        queueDepth = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "xad", metricName: "queue", unitName: "depth", helpText: "Requests waiting for the detector"))
        batchImages = registry.makeValueHistogram(
            descriptor: MetricNameDescriptor(namespace: "xad", metricName: "batch", unitName: "images",
                                             helpText: "Images scored per detector pass"),
            buckets: (1...batchSize).map(Double.init))
        registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "xad", metricName: "model_load", unitName: "seconds", helpText: "Seconds loading the model took"))
            .set(modelLoadSeconds)
    }

    func setQueueDepth(_ depth: Int) { queueDepth.set(Double(depth)) }

    func recordBatch(_ images: Int) { batchImages.record(Double(images)) }

    /// Counts one answered request and its latency.
    func record(path: String, method: HTTPRequest.Method, status: HTTPResponse.Status, duration: Duration) {
        let route = Self.routes.contains(path) ? path : "unmatched"
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "xad", subsystem: "http", metricName: "requests", unitName: "total",
                                             helpText: "Requests answered, by route, method and status"),
            labels: [("route", route), ("method", method.rawValue), ("status", String(status.code))]).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "xad", subsystem: "http", metricName: "request_duration",
                                             unitName: "seconds", helpText: "Request latency by route"),
            labels: [("route", route)], buckets: Self.latencyBuckets).record(duration)
    }

    /// The metrics in Prometheus' text exposition format.
    var text: String { registry.emitToString() }
}

/// The service's outermost layer: every answer is counted in ``ServiceMetrics``, every error
/// becomes a JSON body with its status (``ServeError``), and without the right bearer token
/// (`Authorization: Bearer T`, or `?token=T` for a browser opening the page) only `/healthz`
/// answers.
struct ServiceMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics
    let token: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response: Response
        do {
            try checkToken(request)
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            response = try ServeError(.notFound, "no route \(request.method) \(request.uri.path); /openapi.json lists the routes")
                .response(from: request, context: context)
        } catch {
            response = try ServeError.answering(error).response(from: request, context: context)
        }
        metrics.record(path: request.uri.path, method: request.method, status: response.status, duration: .now - started)
        return response
    }

    private func checkToken(_ request: Request) throws {
        guard let token, request.uri.path != "/healthz" else { return }
        let header = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        let given = header ?? request.uri.queryParameters.get("token")
        guard let given, Self.constantTimeEqual(given, token) else {
            throw ServeError(.unauthorized, "a valid token is required: send 'Authorization: Bearer TOKEN' (or ?token=TOKEN)")
        }
    }

    /// Compares without stopping at the first difference, so timing does not reveal the token.
    private static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = x.count ^ y.count
        for index in 0..<min(x.count, y.count) { difference |= Int(x[index] ^ y[index]) }
        return difference == 0
    }
}
