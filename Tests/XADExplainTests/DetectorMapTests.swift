import Testing
import XADDetect
import XADExplain
import XADTensor
import XADTestSupport

@Suite("Detector's own map")
struct DetectorMapTests {
    /// The explanation is the detector's map (RegionMeanDetector: the channel mean inside a
    /// rectangle, 0 outside), as is and scaled to 0...1, with the target's value (here the map's maximum): exact to 1e-6.
    @Test func isTheDetectorsMapScaledToZeroOne() throws {
        let detector = RegionMeanDetector(rows: 8..<24, columns: 16..<40)
        var generator = SeededGenerator(seed: 2)
        let image = Tensor.uniform([1, 3, 64, 64], in: 0.2..<0.9, generator: &generator)
        let map = try detector.score(image: image).map
        var options = DetectorMap.Options()
        options.normalise = false
        let raw = try DetectorMap(options: options).explain(detector, image: image, target: .imageScore)
        #expect(toleranceRatio(raw.map, map, absolute: 1e-6, relative: 0) <= 1)
        let (low, high) = (try #require(try map.min().scalar), try #require(try map.max().scalar))
        #expect(abs(raw.targetValue - high) < 1e-6)   // the image-score target: the map's maximum

        let scaled = try DetectorMap().explain(detector, image: image, target: .imageScore)
        #expect(toleranceRatio(scaled.map, (map - low) / (high - low), absolute: 1e-6, relative: 0) <= 1)
    }
}
