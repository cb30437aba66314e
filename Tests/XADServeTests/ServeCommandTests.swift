import Foundation
import Testing
import XADTestSupport
@testable import XADServe

/// `xad serve` run as users run it, in a child process: it agrees with `xad predict`, and SIGTERM
/// under load answers every accepted request before the process exits 0.
@Suite("xad serve: the command", .serialized)
struct ServeCommandTests {
    /// The `xad` executable beside the test bundle (built because this test target depends on it).
    static let xad: URL? = {
        let bundle = Bundle.main.bundleURL
        return [bundle, bundle.deletingLastPathComponent()].map { $0.appendingPathComponent("xad") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// A running `xad serve` child and the port it reported on stderr.
    struct Child {
        let process: Process
        let port: Int
        let folder: URL
    }

    /// Starts `xad serve --model M --port 0 --token T` plus `arguments`; waits for its
    /// "listening on" line (up to 60 s).
    static func startServe(_ arguments: [String]) throws -> Child {
        let xad = try #require(xad, "no xad executable beside \(Bundle.main.bundleURL.path)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xad-serve-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let stderr = folder.appendingPathComponent("stderr")
        try Data().write(to: stderr)
        let process = Process()
        process.executableURL = xad
        process.arguments = ["serve", "--model", try ServedModel.shared.get().file.path, "--port", "0",
                             "--token", RunningService.token] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, process.isRunning {
            let text = String(decoding: try Data(contentsOf: stderr), as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.contains("listening on http://") }),
               let port = Int(line.split(separator: ":").last?.filter(\.isNumber) ?? "") {
                return Child(process: process, port: port, folder: folder)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.terminate()
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "xad serve did not start: \(String(decoding: try Data(contentsOf: stderr), as: UTF8.self))"])
    }

    /// The score `xad predict` prints for the same file equals the score over HTTP (both decode
    /// the file the same way; tolerance 1e-5 relative for the batched pass).
    @Test func serveAgreesWithPredict() async throws {
        let served = try ServedModel.shared.get()
        let child = try Self.startServe([])
        defer { child.process.terminate(); try? FileManager.default.removeItem(at: child.folder) }
        let image = child.folder.appendingPathComponent("anomalous.png")
        try served.anomalousPNG.write(to: image)
        let answer = try await HTTPTestClient(port: child.port, token: RunningService.token).post("/v1/score", body: served.anomalousPNG)
        let httpScore = try #require(answer.json["score"] as? Double)

        let xad = try #require(Self.xad)
        let predict = Process()
        predict.executableURL = xad
        predict.arguments = ["predict", "--model", served.file.path, "--json", "-", image.path]
        let output = child.folder.appendingPathComponent("predict.json")
        try Data().write(to: output)
        predict.standardOutput = try FileHandle(forWritingTo: output)
        try predict.run()
        predict.waitUntilExit()
        #expect(predict.terminationStatus == 0)
        let lines = try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [[String: Any]]
        let predicted = try #require(lines?.first?["score"] as? Double)
        #expect(abs(httpScore - predicted) <= 1e-5 * max(1, abs(predicted)), "HTTP \(httpScore) vs xad predict \(predicted)")
        #expect(answer.json["label"] as? String == lines?.first?["label"] as? String)
    }

    /// 16 requests are held in the queue (a 4 s batch window, room for a loaded machine), then SIGTERM: every one is
    /// answered 200, the process exits 0, and it accepts no more connections.
    @Test func sigtermUnderLoadAnswersEveryAcceptedRequestAndExitsZero() async throws {
        let png = try ServedModel.shared.get().normalPNG
        let child = try Self.startServe(["--batch-window-ms", "4000", "--batch-size", "32"])
        defer { if child.process.isRunning { child.process.terminate() }; try? FileManager.default.removeItem(at: child.folder) }
        let client = HTTPTestClient(port: child.port, token: RunningService.token)
        let requests = (0..<16).map { _ in Task { try await client.post("/v1/score?maps=false", body: png) } }
        // Accepted means queued: wait until the queue gauge shows all 16.
        let deadline = Date().addingTimeInterval(30)
        var queued = false
        while !queued, Date() < deadline {
            queued = try await client.get("/metrics").text.contains("xad_queue_depth 16")
            if !queued { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(queued, "the 16 requests never waited in the queue together")
        kill(child.process.processIdentifier, SIGTERM)
        var statuses: [Int] = []
        for request in requests { statuses.append(try await request.value.status) }
        #expect(statuses == Array(repeating: 200, count: 16), "\(statuses)")
        let exitDeadline = Date().addingTimeInterval(30)
        while child.process.isRunning, Date() < exitDeadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!child.process.isRunning)
        #expect(child.process.terminationReason == .exit && child.process.terminationStatus == 0)
        await #expect(throws: (any Error).self) { _ = try await HTTPTestClient(port: child.port).get("/healthz") }
    }
}
