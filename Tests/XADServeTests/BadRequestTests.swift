import Foundation
import Testing
import XADImage
import XADTestSupport
@testable import XADServe

/// Bad requests get a 4xx answer with a JSON error naming the problem, and the service goes on
/// serving; a full queue and a slow request get 503 with `Retry-After`.
@Suite("xad serve: bad requests and limits")
struct BadRequestTests {
    /// Status, and a word the error message must contain, for each bad request.
    @Test func badRequestsAnswer4xxWithAJSONErrorAndTheServiceKeepsServing() async throws {
        let server = try await RunningService.shared.value, served = try ServedModel.shared.get()
        let client = server.client
        let png = served.normalPNG
        // A PNG header claiming 4000 x 4000 pixels (16 MP, above the test limit of 1 MP), nothing after it.
        var huge = Data(png.prefix(16))
        huge += Data([0, 0, 0x0F, 0xA0, 0, 0, 0x0F, 0xA0]) + Data(png.dropFirst(24).prefix(16))
        let cases: [(String, HTTPTestClient.Answer, Int, String)] = [
            ("not an image", try await client.post("/v1/score", body: Data("hello, world".utf8)), 415, "not a PNG"),
            ("empty body", try await client.post("/v1/score", body: Data()), 400, "empty"),
            ("truncated PNG", try await client.post("/v1/score", body: png.prefix(png.count / 2)), 422, "request body"),
            ("oversize body", try await client.post("/v1/score", body: Data(count: 300 << 10)), 413, "limit"),
            ("too many pixels", try await client.post("/v1/score", body: huge), 413, "4000 x 4000"),
            ("no token", try await HTTPTestClient(port: server.port).post("/v1/score", body: png), 401, "token"),
            ("wrong token", try await HTTPTestClient(port: server.port, token: "wrong").get("/v1/model"), 401, "token"),
            ("unknown method", try await client.post("/v1/explain?method=tea-leaves", body: png), 400, "occlusion"),
            ("no method", try await client.post("/v1/explain", body: png), 400, "method"),
            ("bad option", try await client.post("/v1/explain?method=occlusion&set=window=big", body: png), 400, "window"),
            ("bad target", try await client.post("/v1/explain?method=occlusion&target=region:0,0,999,999", body: png), 400, "region"),
            ("multipart without file", try await client.post("/v1/score", body: Data("--b\r\n\r\nx\r\n--b--".utf8),
                                                              headers: ["Content-Type": "multipart/form-data; boundary=b"]), 400, "file part"),
            ("unknown route", try await client.get("/v2/score"), 404, "no route GET /v2/score"),
        ]
        for (name, answer, status, word) in cases {
            #expect(answer.status == status, "\(name): \(answer.status) \(answer.text)")
            #expect(answer.headers["content-type"] == "application/json", "\(name)")
            let message = answer.errorMessage
            #expect(message != nil, "\(name): no JSON error in \(answer.text)")
            #expect(message?.contains(word) == true, "\(name): '\(message ?? "")' does not say '\(word)'")
        }
        let after = try await client.post("/v1/score?maps=false", body: png)
        #expect(after.status == 200, "the service stopped serving after bad requests: \(after.text)")
    }

    /// With room for one waiting request and one image per pass, a burst of requests gets some
    /// answers 200 and the rest 503 with Retry-After, nothing else; then the service serves again.
    @Test func aFullQueueAnswers503WithRetryAfter() async throws {
        let server = try await RunningService.start { settings in
            settings.queueLimit = 1
            settings.batchSize = 1
        }
        let png = try ServedModel.shared.get().normalPNG, client = server.client
        let answers = try await withThrowingTaskGroup(of: HTTPTestClient.Answer.self) { group in
            for _ in 0..<12 { group.addTask { try await client.post("/v1/score?maps=false", body: png) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let statuses = answers.map(\.status)
        #expect(statuses.allSatisfy { $0 == 200 || $0 == 503 }, "\(statuses)")
        #expect(statuses.contains(200) && statuses.contains(503), "\(statuses)")
        for answer in answers where answer.status == 503 {
            #expect(answer.headers["retry-after"] == "1")
            #expect(answer.errorMessage?.contains("busy") == true)
        }
        #expect(try await client.post("/v1/score?maps=false", body: png).status == 200)
        try await server.stop()
    }

    @Test func aRequestOverItsTimeAnswers503() async throws {
        let server = try await RunningService.start { $0.requestTimeout = .microseconds(1) }
        let answer = try await server.client.post("/v1/score", body: try ServedModel.shared.get().normalPNG)
        #expect(answer.status == 503)
        #expect(answer.errorMessage?.contains("longer than") == true, "\(answer.text)")
        try await server.stop()
    }

    @Test func settingsBeyondLoopbackNeedAToken() throws {
        var settings = ServeSettings()
        settings.host = "0.0.0.0"
        #expect(throws: ServeError.self) { try settings.validate() }
        settings.token = "secret"
        try settings.validate()
        settings.batchSize = 0
        #expect(throws: ServeError.self) { try settings.validate() }
    }

    /// Each format's header gives the size before decoding (checked against the decoder).
    @Test func headerDimensionsMatchTheDecodedImage() throws {
        let image = try Image(width: 37, height: 21, channels: 3, repeating: 90)
        for format in [ImageFormat.png, .jpeg] {
            let data = try image.encoded(as: format)
            #expect(ImageDimensions(of: data) == ImageDimensions(width: 37, height: 21), "\(format)")
        }
        for name in ["rgb_lzw.tif", "gray16_lzw.tif", "rgb8_planar.tif", "gray8.bmp", "rgb24.bmp"] {
            let data = try Data(contentsOf: Fixture.directory.appendingPathComponent("images/\(name)"))
            let decoded = try Image(data: data, name: name)
            #expect(ImageDimensions(of: data) == ImageDimensions(width: decoded.width, height: decoded.height), "\(name)")
        }
        #expect(ImageDimensions(of: Data("not an image".utf8)) == nil)
    }
}
