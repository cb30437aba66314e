import Testing
import XADTensor
import XADTestSupport
@testable import XADExplain

@Suite("SLIC superpixels")
struct SLICTests {
    /// A 64 x 64 image of four flat quadrants in clearly different colours.
    private func quadrants() throws -> Tensor {
        let colours: [[Float]] = [[0.9, 0.1, 0.1], [0.1, 0.8, 0.2], [0.1, 0.2, 0.9], [0.9, 0.9, 0.2]]
        var scalars = [Float](repeating: 0, count: 3 * 64 * 64)
        for c in 0..<3 {
            for y in 0..<64 {
                for x in 0..<64 { scalars[(c * 64 + y) * 64 + x] = colours[(y / 32) * 2 + x / 32][c] }
            }
        }
        return try Tensor(shape: [1, 3, 64, 64], scalars: scalars)
    }

    @Test func segmentsFollowColourEdgesAndAreConnected() throws {
        // Quadrant edges (x = 32 and y = 32) are off the 16-pixel seed grid's cell edges only by
        // chance of placement; colour distance must still keep every superpixel in one quadrant.
        let superpixels = try SLIC(segments: 20, compactness: 10).segment(quadrants())
        #expect(superpixels.count >= 10 && superpixels.count <= 40)
        #expect(Set(superpixels.labels) == Set(0..<superpixels.count))
        var quadrantOf = [Int: Int]()
        for y in 0..<64 {
            for x in 0..<64 {
                let label = superpixels.labels[y * 64 + x], quadrant = (y / 32) * 2 + x / 32
                #expect(quadrantOf[label, default: quadrant] == quadrant, "superpixel \(label) crosses a colour edge at (\(y), \(x))")
                quadrantOf[label] = quadrant
            }
        }
        for label in 0..<superpixels.count { #expect(isConnected(superpixels, label: label), "superpixel \(label)") }
    }

    @Test func flatImageGivesAboutTheRequestedCount() throws {
        let superpixels = try SLIC(segments: 64).segment(Tensor(shape: [1, 3, 48, 80], repeating: 0.5))
        #expect(superpixels.count >= 32 && superpixels.count <= 96)
        #expect(superpixels.size == Size2(height: 48, width: 80))
    }

    @Test func cielabMatchesScikitImage() throws {
        // tolerance: 2e-3 absolute on L, a, b (0..100 scale; Float32 fixture).
        let fixture = try Fixture("quality/measures.json")
        let rgb = try fixture.tensor("rgb").scalars, expected = try fixture.tensor("lab").scalars
        let pixels = rgb.count / 3
        // The fixture is [1, pixels, 3] (HWC); SLIC reads channel planes.
        let planar = (0..<3).flatMap { c in (0..<pixels).map { rgb[$0 * 3 + c] } }
        let lab = SLIC.cielab(planar, pixels: pixels)
        for i in 0..<pixels {
            for c in 0..<3 { #expect(abs(lab[c][i] - Double(expected[i * 3 + c])) < 2e-3, "pixel \(i) channel \(c)") }
        }
    }

    @Test func rejectsBadInput() {
        let gray = #expect(throws: ExplainerError.self) { try SLIC().segment(Tensor.ones([1, 1, 8, 8])) }
        #expect(gray?.invalidInputMessage?.contains("RGB") == true)
        let noSegments = #expect(throws: ExplainerError.self) { try SLIC(segments: 0).segment(Tensor.ones([1, 3, 8, 8])) }
        #expect(noSegments?.exitStatus == .usage && noSegments?.invalidInputMessage == nil)
    }

    private func isConnected(_ superpixels: Superpixels, label: Int) -> Bool {
        let width = superpixels.size.width, height = superpixels.size.height
        guard let start = superpixels.labels.firstIndex(of: label) else { return false }
        var seen: Set<Int> = [start], queue = [start]
        while let i = queue.popLast() {
            let y = i / width, x = i % width
            for (ny, nx) in [(y, x - 1), (y - 1, x), (y, x + 1), (y + 1, x)] where ny >= 0 && ny < height && nx >= 0 && nx < width {
                let j = ny * width + nx
                if superpixels.labels[j] == label && seen.insert(j).inserted { queue.append(j) }
            }
        }
        return seen.count == superpixels.labels.lazy.filter { $0 == label }.count
    }
}
