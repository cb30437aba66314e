import Foundation
import Logging
import ServiceLifecycle
@testable import XADServe

/// An ``InspectionService`` running in the test process on a free loopback port.
struct RunningService: Sendable {
    let service: InspectionService
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// The service of the shared test model with `configure` applied to the settings (port 0, a
    /// token), listening once this returns.
    static func start(_ configure: (inout ServeSettings) -> Void = { _ in }) async throws -> RunningService {
        var settings = ServeSettings()
        settings.port = 0
        settings.token = token
        configure(&settings)
        let service = try InspectionService(model: try ServedModel.shared.get().model, settings: settings)
        let (ports, announce) = AsyncStream<Int>.makeStream()
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [service.application { announce.yield($0) }], logger: Logger(label: "xad-serve-tests")))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return RunningService(service: service, port: port, group: group, task: task)
    }

    /// The token the test services require.
    static let token = "test-token-\(UUID().uuidString)"

    /// A client of this service that sends the token.
    var client: HTTPTestClient { HTTPTestClient(port: port, token: service.settings.token) }

    /// Stops accepting, finishes the requests in flight, and returns when the server has stopped.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    /// One service shared by the route tests: a 256 KiB body limit and a 1-megapixel image limit.
    static let shared = Task {
        try await start { settings in
            settings.maximumBodyBytes = 256 << 10
            settings.maximumPixels = 1_000_000
        }
    }
}
