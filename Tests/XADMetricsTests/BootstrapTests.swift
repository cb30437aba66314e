import Testing
import XADTestSupport
@testable import XADMetrics

/// The percentile bootstrap against numpy's percentiles and scipy's `stats.bootstrap`
/// (`Tools/reference/gen_bootstrap.py`). Our resampling draws other random numbers than numpy's,
/// so the intervals agree up to the Monte Carlo error of 20,000 resamples: within 3% of the
/// interval's width.
@Suite("Bootstrap")
struct BootstrapTests {
    let fixture: Fixture
    init() throws { fixture = try Fixture("metrics/bootstrap.json") }

    @Test func percentilesInterpolateLinearlyLikeNumpy() throws {
        let values = try #require(fixture["values"]?.doubles)
        let percents = try #require(fixture["percents"]?.doubles), expected = try #require(fixture["percentiles"]?.doubles)
        for (percent, reference) in zip(percents, expected) {
            #expect(abs(try Bootstrap.percentile(values, percent) - reference) < 1e-12, "percentile \(percent)")
        }
    }

    @Test func theMeansIntervalMatchesScipysPercentileBootstrap() throws {
        let values = try #require(fixture["values"]?.doubles), expected = try #require(fixture["mean_interval"]?.doubles)
        let interval = try Bootstrap(resamples: 20_000, seed: 3).meanInterval(values)
        let tolerance = 0.03 * (expected[1] - expected[0])
        #expect(abs(interval.lowerBound - expected[0]) < tolerance, "\(interval) vs \(expected)")
        #expect(abs(interval.upperBound - expected[1]) < tolerance, "\(interval) vs \(expected)")
    }

    @Test func anAUROCsIntervalMatchesAResampledScikitLearnAUROC() throws {
        let scores = try #require(fixture["scores"]?.doubles), labels = try #require(fixture["labels"]?.ints).map { $0 == 1 }
        let expected = try #require(fixture["auroc_interval"]?.doubles)
        let interval = try Bootstrap(resamples: 20_000, seed: 5).interval(items: scores.count) { picked in
            try BinaryRanking(scores: picked.map { scores[$0] }, labels: picked.map { labels[$0] }).auroc()
        }
        let tolerance = 0.03 * (expected[1] - expected[0])
        #expect(abs(interval.lowerBound - expected[0]) < tolerance, "\(interval) vs \(expected)")
        #expect(abs(interval.upperBound - expected[1]) < tolerance, "\(interval) vs \(expected)")
    }

    @Test func theSameSeedGivesTheSameIntervalAndBadSettingsAreRefused() throws {
        let values = [0.1, 0.5, 0.3, 0.9, 0.7]
        #expect(try Bootstrap(seed: 7).meanInterval(values) == Bootstrap(seed: 7).meanInterval(values))
        #expect(throws: MetricsError.self) { try Bootstrap(resamples: 0).meanInterval(values) }
        #expect(throws: MetricsError.self) { try Bootstrap(confidence: 1).meanInterval(values) }
        #expect(throws: MetricsError.self) { try Bootstrap().meanInterval([]) }
    }
}
