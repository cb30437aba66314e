import Testing
import XADTensor

@Suite("Greedy k-centre coreset")
struct KCenterGreedyTests {
    /// The plain algorithm: every step updates every point's distance to the newest centre.
    static func plainGreedy(_ points: Tensor, count: Int, first start: Int) -> [Int] {
        let (total, dims) = (points.shape[0], points.shape[1])
        let values = points.scalars
        func distance(_ a: Int, _ b: Int) -> Float {
            var sum: Float = 0
            for d in 0..<dims { let difference = values[a * dims + d] - values[b * dims + d]; sum += difference * difference }
            return sum.squareRoot()
        }
        var minimum = (0..<total).map { distance($0, start) }
        var selected: [Int] = []
        for _ in 0..<count {
            guard let farthest = minimum.indices.max(by: { minimum[$0] < minimum[$1] }) else { break }
            selected.append(farthest)
            for i in 0..<total { minimum[i] = Swift.min(minimum[i], distance(i, farthest)) }
            minimum[farthest] = 0
        }
        return selected
    }

    /// 2,000 and 3,000 rows exceed the 1,024 candidates, so the catch-up passes run many times.
    @Test(arguments: [(2000, 16, 200), (3000, 128, 300), (500, 3, 100)])
    func pruningSelectsExactlyWhatThePlainAlgorithmSelects(total: Int, dims: Int, count: Int) throws {
        var generator = SeededGenerator(seed: UInt64(total + dims))
        // Clustered points, like patch features: a few centres with spread around them.
        let centres = Tensor.normal([8, dims], std: 4, generator: &generator).scalars
        let points = Tensor(shape: [total, dims]) { out in
            for i in 0..<total {
                let cluster = i % 8
                for d in 0..<dims { out[i * dims + d] = centres[cluster * dims + d] + generator.nextNormal() }
            }
        }
        let pruned = try points.kCenterGreedyRows(count, firstCentre: 5)
        #expect(pruned == Self.plainGreedy(points, count: count, first: 5))
        #expect(Set(pruned).count == count)
    }

    @Test func equalDistancesGoToTheLowestRowAsInThePlainAlgorithm() throws {
        // Rows 1 and 2 (and 3 and 4) lie at the same distance from row 0 and from each other's pair.
        let points = try Tensor(shape: [5, 2], scalars: [0, 0, 3, 4, -3, -4, 4, -3, -4, 3])
        #expect(try points.kCenterGreedyRows(4, firstCentre: 0) == Self.plainGreedy(points, count: 4, first: 0))
        #expect(try points.kCenterGreedyRows(4, firstCentre: 0) == [1, 2, 3, 4])
    }

    @Test func nonFiniteRowsAreRefused() throws {
        let points = try Tensor(shape: [3, 1], scalars: [0, .nan, 1])
        #expect(throws: TensorError.self) { try points.kCenterGreedyRows(2, firstCentre: 0) }
    }

    @Test func duplicatePointsStopTheSelectionInsteadOfRepeating() throws {
        let points = try Tensor(shape: [4, 2], scalars: [0, 0, 1, 1, 0, 0, 1, 1])
        let chosen = try points.kCenterGreedyRows(4, firstCentre: 1)
        #expect(Set(chosen).count == chosen.count)
        #expect(chosen.count <= 2)
    }

    @Test func documentedExampleAndBadArguments() throws {
        let points = try Tensor(shape: [4, 1], scalars: [0, 1, 10, 4])
        #expect(try points.kCenterGreedyRows(2, firstCentre: 0) == [2, 3])
        #expect(try points.kCenterGreedyRows(0, firstCentre: 0) == [])
        #expect(throws: TensorError.self) { try points.kCenterGreedyRows(2, firstCentre: 4) }
        #expect(throws: TensorError.self) { try Tensor.zeros([4]).kCenterGreedyRows(2, firstCentre: 0) }
    }
}
