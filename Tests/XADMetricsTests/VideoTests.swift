import Testing
import XADMetrics
import XADTestSupport

@Suite("Video frame metrics against scikit-learn and SciPy")
struct VideoTests {
    // tolerance: 1e-6 (scikit-learn AUROC in float64 from the same float32 scores).
    @Test func frameAUROCMicroAndMacro() throws {
        let fixture = try Fixture("metrics/video.json")
        let videos = try (0..<(try #require(fixture["count"]?.int))).map { index -> VideoFrames in
            let entry = try #require(fixture["videos"]?.at("video\(index)"))
            return try VideoFrames(name: "video\(index)", scores: try #require(entry.at("scores")?.doubles),
                                   labels: try #require(entry.at("labels")?.boolList))
        }
        let result = try FrameAUROC(videos: videos)
        #expect(abs(result.micro - (try #require(fixture["micro_auroc"]?.double))) <= 1e-6)
        #expect(abs(result.macro - (try #require(fixture["macro_auroc"]?.double))) <= 1e-6)
        #expect(result.macroVideoCount == fixture["macro_videos"]?.int)
        let pooled = try BinaryRanking(scores: videos.flatMap(\.scores), labels: videos.flatMap(\.labels))
        #expect(abs(try pooled.equalErrorRate() - (try #require(fixture["micro_eer"]?.double))) <= 1e-6)
    }

    // tolerance: 1e-6 against SciPy's brentq on the interpolated ROC curve (xtol 2e-12).
    @Test(arguments: ["random_ties", "gaussian", "constant", "perfect", "negative_scores"])
    func equalErrorRateMatchesSciPy(name: String) throws {
        let entry = try #require(try Fixture("metrics/ranking.json")[name])
        let ranking = try BinaryRanking(scores: try #require(entry.at("scores")?.floatList), labels: try #require(entry.at("labels")?.boolList))
        #expect(abs(try ranking.equalErrorRate() - (try #require(entry.at("eer")?.double))) <= 1e-6)
    }

    // tolerance: 1e-12 against a brute-force NumPy evaluation (every criterion recomputed at every
    // distinct score); both sum the same trapezoids in float64.
    @Test(arguments: ["sparse", "cluttered"]) func regionAndTrackCriteriaMatchBruteForce(name: String) throws {
        let fixture = try Fixture("metrics/rbdc.json")
        func box(_ value: JSONValue?) throws -> Box {
            let c = try #require(value?.doubles)
            return Box(x0: c[0], y0: c[1], x1: c[2], y1: c[3])
        }
        let tracks = try (try #require(fixture["tracks"]?.array)).map { track in
            try (try #require(track.array)).map { GroundTruthRegion(frame: try #require($0.at("frame")?.int), box: try box($0.at("box"))) }
        }
        let entry = try #require(fixture[name])
        let detections = try (try #require(entry.at("detections")?.array)).map {
            DetectedBox(frame: try #require($0.at("frame")?.int), box: try box($0.at("box")), score: try #require($0.at("score")?.double))
        }
        let result = try RegionTrackDetection(detections: detections, tracks: tracks, frameCount: try #require(fixture["frames"]?.int))
        #expect(abs(result.rbdc - (try #require(entry.at("rbdc")?.double))) <= 1e-12)
        #expect(abs(result.tbdc - (try #require(entry.at("tbdc")?.double))) <= 1e-12)
    }

    @Test func badVideosAreNamed() {
        #expect(throws: MetricsError(.nonFinite, "clip07", "score 1 is inf; scores must be finite")) {
            try VideoFrames(name: "clip07", scores: [0.1, Double.infinity], labels: [false, true])
        }
        #expect(throws: MetricsError(.undefined, "macro frame AUROC", "no video has both normal and anomalous frames")) {
            try FrameAUROC(videos: [
                VideoFrames(name: "a", scores: [0.1, 0.2], labels: [false, false]),
                VideoFrames(name: "b", scores: [0.7, 0.9], labels: [true, true]),
            ])
        }
    }
}
