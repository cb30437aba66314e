import Foundation
import Testing
import XADDetect
import XADImage
import XADModels
import XADTensor

/// A fitted model under load and under hostile records: eight concurrent scorers agree with a
/// serial one bit for bit, and a saved model whose record asks for more pixels per image than
/// `ReadingLimits` allow is refused before anything is restored.
@Suite("Reliability: concurrent scoring, saved-model limits")
struct ReliabilityTests {
    /// Eight tasks score the same images against one model at once; every map and score equals
    /// the serial result exactly (tolerance 0: scoring shares no mutable state).
    @Test func concurrentScoringMatchesSerialScoring() async throws {
        let (model, tests) = try SavedModelTests.smallModel()
        var generator = SeededGenerator(seed: 11)
        let images = tests + (0..<2).map { _ in Tensor.uniform([1, 3, 64, 64], generator: &generator) }
        let serial = try images.map { try model.score(image: $0) }
        let concurrent = try await withThrowingTaskGroup(of: [AnomalyResult].self) { group in
            for task in 0..<8 {
                // Each task starts at another image so that different images are scored at once.
                let order = images.indices.map { (task + $0) % images.count }
                group.addTask { try order.map { try model.score(image: images[$0]) } }
            }
            var results: [[AnomalyResult]] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(concurrent.count == 8)
        for results in concurrent {
            for result in results {
                #expect(serial.contains { $0.score == result.score && $0.map.scalars == result.map.scalars })
            }
        }
    }

    /// The small model's record says 64 x 64 input: refused under a limit of 4095 pixels.
    @Test func savedModelAskingForMorePixelsThanTheLimitIsRefused() throws {
        let (model, _) = try SavedModelTests.smallModel()
        let url = SavedModelTests.temporaryFile()
        defer { try? FileManager.default.removeItem(at: url) }
        try SavedModel(detector: model).write(to: url)
        var limits = ReadingLimits()
        limits.maxPixels = 64 * 64 - 1
        let error = ReadingLimits.using(limits) { #expect(throws: DetectorError.self) { try SavedModel.load(url) } }
        #expect("\(error.map { "\($0)" } ?? "")".contains("the record's input size 64x64 is not a usable image size"))
        #expect(try SavedModel.load(url).detector.setup.preprocessing.imageSize == Size2(64))
    }
}
