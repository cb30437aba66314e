import ArgumentParser
import Dispatch
import Foundation
import Synchronization
import XADServe
import XADTensor

/// `xad serve`: a saved model as an HTTP service with a web page.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a saved model over HTTP: score and explain images, metrics, and a web page to try it.",
        discussion: """
            Routes: \(InspectionService.routes.map { "\($0.0) \($0.1) (\($0.2))" }.joined(separator: "; ")).

            The service listens on loopback (127.0.0.1) unless --host names another address, which \
            then needs a token (--token or XAD_TOKEN): every request but /healthz must send \
            'Authorization: Bearer TOKEN' (the page takes ?token=TOKEN). Requests that arrive \
            together are scored as one batch; beyond --queue-limit waiting requests the service \
            answers 503 with Retry-After. SIGTERM or SIGINT stops it gracefully: it stops \
            accepting connections, finishes the requests it holds and exits 0. The address it \
            listens on goes to stderr once it is ready.

            Example:
              xad serve --model pcb.xadm --port 8080
              curl --data-binary @board.png http://127.0.0.1:8080/v1/score
            """
    )

    @OptionGroup var modelFile: ModelOptions

    @Option(help: "The address to listen on; other than loopback it needs --token or XAD_TOKEN.")
    var host = "127.0.0.1"

    @Option(help: "The TCP port (0: any free one, reported on stderr).")
    var port = 8080

    @Option(help: "The bearer token requests must carry (default: XAD_TOKEN; none on loopback).")
    var token: String?

    @Option(help: "The most images scored in one pass of the detector.")
    var batchSize = ServeSettings().batchSize

    @Option(help: "Milliseconds a request waits for others to join its batch.")
    var batchWindowMs = 5

    @Option(help: "The most requests waiting for the detector before new ones get 503.")
    var queueLimit = ServeSettings().queueLimit

    @Option(help: "The largest request body in megabytes.")
    var maxBodyMb = ServeSettings().maximumBodyBytes >> 20

    @Option(help: "The largest image in megapixels, checked in its header before decoding.")
    var maxMegapixels = Double(ServeSettings().maximumPixels) / 1e6

    @Option(help: "Seconds a request may take, waiting included, before it gets 503.")
    var timeout = 30.0

    /// The settings from the options and XAD_TOKEN, checked before the model loads.
    func settings() throws -> ServeSettings {
        var settings = ServeSettings()
        settings.host = host
        settings.port = port
        // An empty XAD_TOKEN counts as unset; an empty --token is refused by validate().
        settings.token = token ?? ProcessInfo.processInfo.environment["XAD_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        settings.batchSize = batchSize
        settings.batchWindow = .milliseconds(batchWindowMs)
        settings.queueLimit = queueLimit
        settings.maximumBodyBytes = maxBodyMb << 20
        settings.maximumPixels = Int(maxMegapixels * 1e6)
        settings.requestTimeout = .milliseconds(Int(timeout * 1000))
        guard batchWindowMs >= 0, timeout > 0 else { throw CommandError.usage("--batch-window-ms must be at least 0 and --timeout above 0") }
        try settings.validate()
        return settings
    }

    func run() throws {
        let settings = try settings()
        let started = ContinuousClock.now
        let model = try modelFile.load()
        let service = try InspectionService(model: model, settings: settings, loadSeconds: started.secondsElapsed)
        // ArgumentParser runs this command synchronously: the server runs in a task and this
        // thread waits for it to finish (after a graceful shutdown).
        let failure = Mutex<(any Error)?>(nil)
        let finished = DispatchSemaphore(value: 0)
        Task {
            do {
                try await service.run { port in
                    FileHandle.standardError.write(Data("xad serve: listening on http://\(settings.host):\(port)/\n".utf8))
                }
            } catch {
                failure.withLock { $0 = error }
            }
            finished.signal()
        }
        finished.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
