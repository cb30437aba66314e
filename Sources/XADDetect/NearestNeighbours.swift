import XADTensor

/// Exact nearest neighbours of query rows among bank rows by squared Euclidean distance,
/// computed as `|q|² + |b|² - 2 q·b` with one matrix product per block of the bank, so memory
/// stays at `queries x blockSize` however large the bank is (never `N x N`).
public struct NearestNeighbours: Sendable {
    /// `[K, D]`.
    public let bank: Tensor
    /// `|b|²` per bank row.
    private let bankNorms: [Float]
    /// Bank rows per block.
    static let blockSize = 4096

    /// A searchable bank of rows `[K, D]`.
    public init(bank: Tensor) {
        self.bank = bank
        let (count, dims) = (bank.shape[0], bank.shape[1])
        bankNorms = bank.withUnsafeBufferPointer { b in
            (0..<count).map { row in
                var total: Float = 0
                for d in 0..<dims { total += b[row * dims + d] * b[row * dims + d] }
                return total
            }
        }
    }

    /// The number of bank rows.
    public var count: Int { bank.shape[0] }

    /// The `k` nearest bank rows of each query row (`[Q, D]`), nearest first: Euclidean
    /// distances (clamped at 0 before the root) and bank indices, each `Q * k`, row-major.
    public func search(_ queries: Tensor, k: Int) -> (distances: [Float], indices: [Int]) {
        let (queryCount, dims) = (queries.shape[0], queries.shape[1])
        let k = Swift.min(k, count)
        var bestDistances = [Float](repeating: .infinity, count: queryCount * k)
        var bestIndices = [Int](repeating: 0, count: queryCount * k)
        let queryNorms: [Float] = queries.withUnsafeBufferPointer { q in
            (0..<queryCount).map { row in
                var total: Float = 0
                for d in 0..<dims { total += q[row * dims + d] * q[row * dims + d] }
                return total
            }
        }
        var products = [Float](repeating: 0, count: queryCount * Self.blockSize)
        var start = 0
        while start < count {
            let block = Swift.min(Self.blockSize, count - start)
            products.withUnsafeMutableBufferPointer { out in
                BLAS.sgemm(transposeB: true, m: queryCount, n: block, k: dims,
                           a: queries.storage.base, lda: dims, b: bank.storage.base + start * dims, ldb: dims,
                           c: out.baseAddress!, ldc: block)
            }
            let view = UncheckedSendable(products), norms = UncheckedSendable(bankNorms)
            bestDistances.withUnsafeMutableBufferPointer { distances in
                bestIndices.withUnsafeMutableBufferPointer { indices in
                    let d = UncheckedSendable(distances.baseAddress!), i = UncheckedSendable(indices.baseAddress!)
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
