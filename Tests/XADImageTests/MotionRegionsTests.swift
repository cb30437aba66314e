import Foundation
import Testing
import XADImage
import XADTestSupport

/// Morphology and connected components against scipy.ndimage, the median background against
/// NumPy (Tools/reference/gen_video.py, Tests/Fixtures/video/motion_reference.json). Exact.
@Suite("Motion: morphology, regions, background model")
struct MotionRegionsTests {
    private static func mask(_ fixture: Fixture, _ key: String) throws -> BinaryMask {
        let tensor = try fixture.tensor(key)
        return try BinaryMask(width: tensor.shape[1], height: tensor.shape[0], pixels: tensor.scalars.map { $0 == 1 })
    }

    @Test func morphologyMatchesScipy() throws {
        let fixture = try Fixture("video/motion_reference.json")
        let mask = try Self.mask(fixture, "mask")
        #expect(mask.eroded(size: 3) == (try Self.mask(fixture, "eroded3")))
        #expect(mask.dilated(size: 3) == (try Self.mask(fixture, "dilated3")))
        #expect(mask.opened(size: 3) == (try Self.mask(fixture, "opened3")))
        #expect(mask.closed(size: 3) == (try Self.mask(fixture, "closed3")))
        #expect(mask.opened(size: 5) == (try Self.mask(fixture, "opened5")))
        #expect(mask.closed(size: 5) == (try Self.mask(fixture, "closed5")))
        #expect(mask.opened(size: 3)[35, 3] == false && mask[35, 3])   // the speck goes
    }

    @Test(arguments: [("eight", Connectivity.eight), ("four", Connectivity.four)])
    func regionsMatchScipyLabels(name: String, connectivity: Connectivity) throws {
        let fixture = try Fixture("video/motion_reference.json")
        let mask = try Self.mask(fixture, "mask")
        let expected = try #require(fixture["regions_\(name)"]?.array)
        let regions = mask.regions(connectivity: connectivity)
        #expect(regions.count == expected.count)
        for (region, entry) in zip(regions, expected) {
            guard case .object(let e) = entry else { continue }
            #expect(region.box == PixelBox(x1: e["x1"]!.int!, y1: e["y1"]!.int!, x2: e["x2"]!.int!, y2: e["y2"]!.int!))
            #expect(region.area == e["area"]!.int!)
            #expect(abs(region.centroid.x - e["cx"]!.double!) < 1e-9 && abs(region.centroid.y - e["cy"]!.double!) < 1e-9)
        }
        let large = mask.regions(minimumArea: 5, connectivity: connectivity)
        #expect(large.map(\.area) == expected.compactMap { entry -> Int? in
            guard case .object(let e) = entry, let area = e["area"]?.int, area >= 5 else { return nil }
            return area
        })
    }

    @Test func exactMedianMatchesNumPy() throws {
        let fixture = try Fixture("video/motion_reference.json")
        let frames = try fixture.tensor("median_frames")
        let (count, height, width) = (frames.shape[0], frames.shape[1], frames.shape[2])
        let planes = try (0..<count).map { k in
            try GrayPlane(width: width, height: height, values: Array(frames.scalars[(k * width * height)..<((k + 1) * width * height)]))
        }
        #expect(try MedianBackground(median: Array(planes.prefix(5))).background.values == (try fixture.tensor("median_odd")).scalars)
        let even = try MedianBackground(median: planes).background.values
        let expected = try fixture.tensor("median_even").scalars
        #expect(zip(even, expected).allSatisfy { abs($0 - $1) <= 1e-7 })
    }

    /// A bright square moving over a still textured scene: the background model and frame
    /// differencing find it, morphology keeps it whole and regions give its box.
    @Test func aMovingSquareIsFoundAsOneBox() throws {
        let scene = try Texture(seed: 7).plane(width: 80, height: 60)
        func frame(squareAt x: Int) -> GrayPlane {
            var plane = scene
            for row in 20..<30 { for column in x..<(x + 12) { plane.values[row * 80 + column] = 0.95 } }
            return plane
        }
        var background = try MedianBackground(median: [frame(squareAt: 5), frame(squareAt: 25), frame(squareAt: 45), frame(squareAt: 60), scene])
        #expect(zip(background.background.values, scene.values).allSatisfy { abs($0 - $1) < 1e-6 })
        let current = frame(squareAt: 30)
        let found = try background.foreground(current, threshold: 0.2).opened(size: 3).regions(minimumArea: 20)
        #expect(found.map(\.box) == [PixelBox(x1: 30, y1: 20, x2: 42, y2: 30)])
        #expect(found.first?.area == 120)
        let moved = try FrameDifference.mask(current, frame(squareAt: 33), threshold: 0.2).regions(minimumArea: 5)
        #expect(moved.map(\.box) == [PixelBox(x1: 30, y1: 20, x2: 33, y2: 30), PixelBox(x1: 42, y1: 20, x2: 45, y2: 30)])
        // The running median follows a change by `step` per frame.
        try background.update(with: current)
        let changed = 25 * 80 + 35
        #expect(abs(background.background.values[changed] - (scene.values[changed] + 1.0 / 255)) < 1e-6)
        #expect(throws: ImageError.self) { try background.update(with: GrayPlane(width: 79, height: 60)) }
    }
}
