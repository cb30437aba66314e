import Foundation
import Testing
import XADImage
@testable import XADServe

/// Every route of the service, started in this process on a free loopback port with a
/// PatchCore model fitted on synthetic images (``ServedModel``).
@Suite("xad serve: routes")
struct RouteTests {
    @Test func healthAnswersWithoutAToken() async throws {
        let server = try await RunningService.shared.value
        let answer = try await HTTPTestClient(port: server.port).get("/healthz")
        #expect(answer.status == 200)
        #expect(answer.json["status"] as? String == "ok")
    }

    /// The score over HTTP is the library's score of the same file (what `xad predict` prints),
    /// with the label at the model's threshold; the batched pass may differ from a single
    /// image's in the last bits of float arithmetic, so the tolerance is 1e-5 relative.
    @Test func scoreEqualsTheLibraryScoreWithLabelAndPictures() async throws {
        let server = try await RunningService.shared.value, served = try ServedModel.shared.get()
        let threshold = try #require(served.model.threshold)
        for (png, label) in [(served.normalPNG, "normal"), (served.anomalousPNG, "anomalous")] {
            let answer = try await server.client.post("/v1/score", body: png, headers: ["Content-Type": "image/png"])
            #expect(answer.status == 200, "\(answer.text)")
            let score = try #require(answer.json["score"] as? Double)
            let expected = try served.libraryScore(of: png).score
            #expect(abs(score - Double(expected)) <= 1e-5 * max(1, abs(Double(expected))), "HTTP \(score) vs library \(expected)")
            #expect(answer.json["label"] as? String == label)
            #expect((answer.json["threshold"] as? Double).map(Float.init) == threshold)
            for key in ["map", "overlay"] {
                let picture = try Self.image(dataURL: try #require(answer.json[key] as? String))
                #expect(picture.width == 64 && picture.height == 64, "\(key) is \(picture.width) x \(picture.height)")
            }
            let timings = try #require(answer.json["timings"] as? [String: Any])
            #expect((timings["totalMs"] as? Double ?? -1) >= 0 && (timings["batch"] as? Int ?? 0) >= 1)
        }
    }

    @Test func aMultipartFormScoresAsTheRawBody() async throws {
        let server = try await RunningService.shared.value, served = try ServedModel.shared.get()
        let boundary = "xad-boundary-42"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n".utf8)
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n".utf8)
        body += served.anomalousPNG + Data("\r\n--\(boundary)--\r\n".utf8)
        let answer = try await server.client.post("/v1/score?maps=false", body: body,
                                                  headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"])
        #expect(answer.status == 200, "\(answer.text)")
        let expected = try served.libraryScore(of: served.anomalousPNG).score
        #expect(abs((answer.json["score"] as? Double ?? .nan) - Double(expected)) <= 1e-5 * max(1, abs(Double(expected))))
        #expect(answer.json["map"] == nil && answer.json["overlay"] == nil)   // maps=false leaves them out
    }

    /// Requests sent together share a pass of the detector (a service of its own with a 300 ms
    /// batch window, so that they meet even on a loaded machine).
    @Test func concurrentRequestsAreBatched() async throws {
        let server = try await RunningService.start { $0.batchWindow = .milliseconds(300) }
        let png = try ServedModel.shared.get().normalPNG
        let batches = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    let answer = try await server.client.post("/v1/score?maps=false", body: png)
                    return (answer.json["timings"] as? [String: Any])?["batch"] as? Int ?? 0
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(batches.allSatisfy { $0 >= 1 })
        #expect(batches.contains { $0 > 1 }, "batch sizes \(batches)")
        try await server.stop()
    }

    @Test func explainGivesAMapOverlayAndTarget() async throws {
        let server = try await RunningService.shared.value, png = try ServedModel.shared.get().anomalousPNG
        let answer = try await server.client.post("/v1/explain?method=occlusion&set=window=16&set=stride=16", body: png)
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.json["method"] as? String == "occlusion")
        #expect(answer.json["target"] as? String == "image")
        for key in ["map", "overlay"] {
            let picture = try Self.image(dataURL: try #require(answer.json[key] as? String))
            #expect(picture.width == 64 && picture.height == 64)
        }
        #expect((answer.json["options"] as? [String: String])?["window"] == "16")
    }

    @Test func modelDescribesTheDetectorThresholdExplainersAndLimits() async throws {
        let server = try await RunningService.shared.value, served = try ServedModel.shared.get()
        let answer = try await server.client.get("/v1/model")
        #expect(answer.status == 200)
        #expect(answer.json["detector"] as? String == "patchcore")
        #expect((answer.json["threshold"] as? Double).map(Float.init) == served.model.threshold)
        let names = (answer.json["explainers"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names.contains("occlusion") && names.contains("grad-cam"))
        #expect((answer.json["limits"] as? [String: Any])?["maximumBodyBytes"] as? Int == 256 << 10)
    }

    @Test func openAPIDocumentNamesEveryRoute() async throws {
        let server = try await RunningService.shared.value
        let answer = try await server.client.get("/openapi.json")
        #expect(answer.status == 200)
        #expect(answer.json["openapi"] as? String == "3.1.0")
        let paths = try #require(answer.json["paths"] as? [String: Any])
        for (method, path, _) in InspectionService.routes {
            let bare = String(path.prefix { $0 != "?" })
            let operations = paths[bare] as? [String: Any]
            #expect(operations?[method.lowercased()] != nil, "\(method) \(bare) is not in the document")
        }
    }

    @Test func pageIsSelfContainedHTML() async throws {
        let server = try await RunningService.shared.value
        let answer = try await server.client.get("/")
        #expect(answer.status == 200)
        #expect(answer.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(answer.text.hasPrefix("<!doctype html>"))
        #expect(!answer.text.contains("src=\"http") && !answer.text.contains("href=\"http"), "the page loads nothing from elsewhere")
    }

    /// After requests of each kind the counters, latency histograms, queue depth and load time
    /// are all in Prometheus' text format.
    @Test func metricsCountRequestsPerRoute() async throws {
        let server = try await RunningService.shared.value
        _ = try await server.client.get("/v1/model")
        _ = try await server.client.get("/no/such/route")
        let text = try await server.client.get("/metrics").text
        #expect(text.contains(#"xad_http_requests_total{route="/v1/model",method="GET",status="200"}"#), "\(text.prefix(2000))")
        #expect(text.contains(#"route="unmatched",method="GET",status="404""#))
        #expect(text.contains(#"xad_http_request_duration_seconds_bucket{route="/v1/model",le="#))
        #expect(text.contains("\nxad_queue_depth "))   // its value depends on the tests running beside this one
        #expect(text.contains("xad_model_load_seconds"))
    }

    /// A `data:image/png;base64,` URL decoded.
    static func image(dataURL: String) throws -> Image {
        let prefix = "data:image/png;base64,"
        #expect(dataURL.hasPrefix(prefix))
        let data = try #require(Data(base64Encoded: String(dataURL.dropFirst(prefix.count))))
        return try Image(data: data, name: "data URL")
    }
}
