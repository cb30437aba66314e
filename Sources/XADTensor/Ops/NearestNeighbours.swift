/// Exact nearest neighbours of query rows among bank rows by squared Euclidean distance,
/// computed as `|q|² + |b|² - 2 q·b` with one matrix product per block of the bank, so memory
/// stays at `queries x blockSize` however large the bank is (never `N x N`). The search of
/// PatchCore's memory bank, SPADE's galleries and nearest exemplars.
///
/// ```swift
/// let bank = try NearestNeighbours(bank: Tensor(shape: [3, 2], scalars: [0, 0, 3, 4, 1, 0]))
/// let (distances, indices) = try bank.search(Tensor(shape: [1, 2], scalars: [0, 0]), k: 2)
/// // distances [0, 1], indices [0, 2]
/// try bank.distances(from: Tensor(shape: [1, 2], scalars: [0, 0]), to: [1])   // [5]
/// ```
public struct NearestNeighbours: Sendable {
    /// `[K, D]`.
    public let bank: Tensor
    /// `|b|²` per bank row.
    private let bankNorms: [Float]
    /// Bank rows per block.
    static let blockSize = 4096

    /// A searchable bank of rows `[K, D]`.
    /// - Throws: ``TensorError`` unless `bank` has rank 2 with at least one row and one column.
    public init(bank: Tensor) throws {
        guard bank.rank == 2, bank.shape[0] > 0, bank.shape[1] > 0 else {
            throw TensorError(.invalidArgument, "NearestNeighbours", "the bank must be [K, D] with K, D >= 1, got shape \(bank.shape)")
        }
        self.bank = bank.detached
        bankNorms = bank.rowSquaredNorms().scalars
    }

    /// The number of bank rows.
    public var count: Int { bank.shape[0] }

    /// The `k` nearest bank rows of each query row (`[Q, D]`), nearest first: Euclidean
    /// distances (clamped at 0 before the root) and bank indices, each `Q * min(k, count)`,
    /// row-major. Queries are spread over ``Threads/count`` threads.
    /// - Throws: ``TensorError`` unless `queries` is `[Q, D]` with the bank's `D` and `k >= 1`.
    public func search(_ queries: Tensor, k: Int) throws -> (distances: [Float], indices: [Int]) {
        let dims = bank.shape[1]
        guard queries.rank == 2, queries.shape[1] == dims else {
            throw TensorError.shapes("NearestNeighbours.search", [queries.shape, bank.shape], "must be [Q, D] and [K, D]")
        }
        guard k >= 1 else { throw TensorError(.invalidArgument, "NearestNeighbours.search", "k must be at least 1, got \(k)") }
        let queryCount = queries.shape[0]
        let k = Swift.min(k, count)
        var bestDistances = [Float](repeating: .infinity, count: queryCount * k)
        var bestIndices = [Int](repeating: 0, count: queryCount * k)
        let queryNorms = queries.rowSquaredNorms().scalars
        var products = [Float](repeating: 0, count: queryCount * Self.blockSize)
        var start = 0
        while start < count {
            let block = Swift.min(Self.blockSize, count - start)
            products.withUnsafeMutableBufferPointer { out in
                guard let c = out.baseAddress else { return }
                BLAS.sgemm(transposeB: true, m: queryCount, n: block, k: dims,
                           a: queries.storage.base, lda: dims, b: bank.storage.base + start * dims, ldb: dims,
                           c: c, ldc: block)
            }
            let view = UncheckedSendable(products), norms = UncheckedSendable(bankNorms)
            bestDistances.withUnsafeMutableBufferPointer { distances in
                bestIndices.withUnsafeMutableBufferPointer { indices in
                    guard let d = distances.baseAddress.map(UncheckedSendable.init),
                          let i = indices.baseAddress.map(UncheckedSendable.init) else { return }
                    Threads.parallelFor(queryCount) { q in
                        let row = q * block
                        for j in 0..<block {
                            let squared = queryNorms[q] + norms.value[start + j] - 2 * view.value[row + j]
                            Self.insert(squared, index: start + j, into: d.value + q * k, i.value + q * k, k: k)
                        }
                    }
                }
            }
            start += block
        }
        return (bestDistances.map { Swift.max($0, 0).squareRoot() }, bestIndices)
    }

    /// `|q - b_i|` from one query row (`D` values, e.g. `[1, D]`) to the bank rows `indices`,
    /// summed term by term `Σ (q_d - b_d)²` rather than expanded, so rows that nearly coincide
    /// keep their small distances exactly.
    /// - Throws: ``TensorError`` unless `query` holds `D` values and every index is a bank row.
    public func distances(from query: Tensor, to indices: [Int]) throws -> [Float] {
        let dims = bank.shape[1]
        guard query.count == dims else {
            throw TensorError.shapes("NearestNeighbours.distances", [query.shape, bank.shape], "must hold D values and be [K, D]")
        }
        if let outside = indices.first(where: { $0 < 0 || $0 >= count }) {
            throw TensorError(.invalidArgument, "NearestNeighbours.distances", "index \(outside) is outside the bank's \(count) rows")
        }
        let point = query.storage.base
        return indices.map { index in
            let bankRow = bank.storage.base + index * dims
            var total: Float = 0
            for d in 0..<dims { let difference = point[d] - bankRow[d]; total += difference * difference }
            return total.squareRoot()
        }
    }

    /// Inserts a candidate into a sorted list of the `k` best (ascending).
    @inline(__always)
    private static func insert(_ value: Float, index: Int, into distances: UnsafeMutablePointer<Float>,
                               _ indices: UnsafeMutablePointer<Int>, k: Int) {
        guard value < distances[k - 1] else { return }
        var position = k - 1
        while position > 0 && distances[position - 1] > value {
            distances[position] = distances[position - 1]
            indices[position] = indices[position - 1]
            position -= 1
        }
        distances[position] = value
        indices[position] = index
    }
}
