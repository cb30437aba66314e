import Testing
import XADTensor

/// The blocked GEMM search against a brute-force reference: every distance summed term by term
/// in Float64, then sorted.
@Suite("Nearest neighbours by blocked GEMM")
struct NearestNeighboursTests {
    static func points(_ count: Int, _ dims: Int, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor.normal([count, dims], std: 1, generator: &generator)
    }

    static func bruteForce(_ queries: Tensor, _ bank: Tensor, k: Int) -> [[(distance: Double, index: Int)]] {
        let (q, b, dims) = (queries.shape[0], bank.shape[0], bank.shape[1])
        let x = queries.scalars, y = bank.scalars
        return (0..<q).map { i in
            let all = (0..<b).map { j in
                (distance: (0..<dims).reduce(0.0) { total, d in
                    let difference = Double(x[i * dims + d]) - Double(y[j * dims + d])
                    return total + difference * difference
                }.squareRoot(), index: j)
            }
            return Array(all.sorted { ($0.distance, $0.index) < ($1.distance, $1.index) }.prefix(k))
        }
    }

    // tolerance: 1e-3 absolute on distances of order 5: the expansion |q|² + |b|² - 2 q·b loses a
    // few ulp of |q|² (about 20 here) before the root. A bank of 5000 rows spans two GEMM blocks.
    @Test(arguments: [(5000, 7, 3), (300, 64, 1), (10, 3, 20)])
    func matchesBruteForce(bankSize: Int, dims: Int, k: Int) throws {
        let bank = Self.points(bankSize, dims, seed: 1), queries = Self.points(17, dims, seed: 2)
        let (distances, indices) = try NearestNeighbours(bank: bank).search(queries, k: k)
        let kept = Swift.min(k, bankSize)
        #expect(distances.count == 17 * kept && indices.count == 17 * kept)
        for (q, all) in Self.bruteForce(queries, bank, k: bankSize).enumerated() {
            let trueDistance = Dictionary(uniqueKeysWithValues: all.map { ($0.index, $0.distance) })
            for rank in 0..<kept {
                let found = indices[q * kept + rank]
                #expect(abs(Double(distances[q * kept + rank]) - all[rank].distance) < 1e-3)
                // The row found is the reference's, or one as near to within the tolerance (a tie).
                #expect(found == all[rank].index || abs((trueDistance[found] ?? .infinity) - all[rank].distance) < 1e-3)
            }
            #expect(Set(indices[(q * kept)..<(q * kept + kept)]).count == kept)
        }
    }

    // tolerance: 1e-6 relative: each distance is summed term by term in Float32.
    @Test func directDistancesFromOneRow() throws {
        let bank = Self.points(50, 9, seed: 3), query = Self.points(1, 9, seed: 4)
        let searcher = try NearestNeighbours(bank: bank)
        let indices = [49, 0, 7, 7]
        let expected = Self.bruteForce(query, bank, k: 50)[0]
        for (index, distance) in zip(indices, try searcher.distances(from: query, to: indices)) {
            let reference = try #require(expected.first { $0.index == index }).distance
            #expect(abs(Double(distance) - reference) <= 1e-6 * reference)
        }
        // Equal rows are exactly 0 apart (the expanded form may leave a small residue).
        #expect(try searcher.distances(from: bank.rows(at: [5]), to: [5]) == [0])
    }

    @Test func documentedExample() throws {
        let bank = try NearestNeighbours(bank: Tensor(shape: [3, 2], scalars: [0, 0, 3, 4, 1, 0]))
        let (distances, indices) = try bank.search(Tensor(shape: [1, 2], scalars: [0, 0]), k: 2)
        #expect(distances == [0, 1] && indices == [0, 2])
        #expect(try bank.distances(from: Tensor(shape: [1, 2], scalars: [0, 0]), to: [1]) == [5])
    }

    @Test func badShapesThrow() throws {
        #expect(throws: TensorError.self) { try NearestNeighbours(bank: Tensor.zeros([0, 3])) }
        #expect(throws: TensorError.self) { try NearestNeighbours(bank: Tensor.zeros([2, 3, 1])) }
        let bank = try NearestNeighbours(bank: Tensor.zeros([4, 3]))
        #expect(throws: TensorError.self) { try bank.search(Tensor.zeros([2, 4]), k: 1) }
        #expect(throws: TensorError.self) { try bank.search(Tensor.zeros([2, 3]), k: 0) }
        #expect(throws: TensorError.self) { try bank.distances(from: Tensor.zeros([1, 3]), to: [4]) }
        #expect(throws: TensorError.self) { try bank.distances(from: Tensor.zeros([1, 2]), to: [0]) }
    }
}
