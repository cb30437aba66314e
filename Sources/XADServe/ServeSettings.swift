import Foundation

/// How `xad serve` listens and the limits that keep it reliable under load and bad input.
///
/// ```swift
/// var settings = ServeSettings()
/// settings.port = 0                  // any free port; the service reports the one it got
/// settings.batchSize = 16
/// let service = try InspectionService(model: saved, settings: settings)
/// ```
public struct ServeSettings: Sendable, Equatable {
    /// The address to bind. Default `127.0.0.1` (loopback only); any other host needs ``token``.
    public var host = "127.0.0.1"
    /// The TCP port; 0 picks a free one. Default 8080.
    public var port = 8080
    /// The bearer token every request but `GET /healthz` must carry; nil allows any caller,
    /// which only loopback hosts permit. Default nil.
    public var token: String?
    /// The most images scored in one pass of the detector. Default 8.
    public var batchSize = 8
    /// How long the first request of a batch waits for others to join it. Default 5 ms.
    public var batchWindow: Duration = .milliseconds(5)
    /// The most requests waiting for the detector; beyond it requests get 503 with `Retry-After`.
    /// Default 64.
    public var queueLimit = 64
    /// The largest request body, in bytes; larger ones get 413. Default 32 MiB.
    public var maximumBodyBytes = 32 << 20
    /// The largest image (width x height) decoded, read from its header before any pixel memory
    /// is allocated; larger ones get 413. Default 40 megapixels.
    public var maximumPixels = 40_000_000
    /// How long a request may wait in the queue and be scored or explained; then 503. Default 30 s.
    public var requestTimeout: Duration = .seconds(30)
    /// How many recent requests the web page's gallery shows. Default 12.
    public var galleryCount = 12

    public init() {}

    /// Whether ``host`` names this machine's loopback interface only.
    public var isLoopback: Bool { ["127.0.0.1", "::1", "localhost"].contains(host) }

    /// Throws ``ServeError`` for a setting the service cannot run with: a host other than
    /// loopback without a token, or a limit below 1.
    public func validate() throws {
        if !isLoopback, token?.isEmpty ?? true {
            throw ServeError.configuration("--host \(host) serves beyond this machine: give --token or set XAD_TOKEN")
        }
        if let token, token.isEmpty { throw ServeError.configuration("the token is empty") }
        guard (0...65_535).contains(port) else { throw ServeError.configuration("--port must be 0...65535, got \(port)") }
        for (name, value) in [("--batch-size", batchSize), ("--queue-limit", queueLimit), ("--max-body-bytes", maximumBodyBytes),
                              ("--max-pixels", maximumPixels), ("--gallery", galleryCount)] where value < 1 {
            throw ServeError.configuration("\(name) must be at least 1, got \(value)")
        }
        guard requestTimeout > .zero, batchWindow >= .zero else {
            throw ServeError.configuration("the request timeout must be above 0 and the batch window at least 0")
        }
    }
}
