import Testing
@testable import XADTensor

/// XADKit's own sgemm (`BlockedSGEMM`) at every CPU level this machine supports, against a
/// double-precision product of the same Float inputs: odd shapes that leave partial tiles, a
/// depth past one packed block (256), rows and columns past one block (1,024 and 512), all four
/// transpose combinations, alpha and beta, padded leading dimensions, and both ways of splitting
/// C over threads.
@Suite("Blocked sgemm")
struct BlockedSGEMMTests {
    /// One product: `C = alpha op(A) op(B) + beta C` with leading dimensions padded by `padding`.
    struct Case: CustomTestStringConvertible, Sendable {
        var m: Int, n: Int, k: Int
        var transposeA = false, transposeB = false
        var alpha: Float = 1, beta: Float = 0
        var padding = 0

        var testDescription: String {
            "\(m)x\(n)x\(k)\(transposeA ? " Aᵀ" : "")\(transposeB ? " Bᵀ" : "") alpha \(alpha) beta \(beta) padding \(padding)"
        }
    }

    static let levels = [CPULevel.portable, .avx2, .avx512].filter { $0 <= CPULevel.detected }

    static let cases: [Case] = [
        Case(m: 1, n: 1, k: 1),
        Case(m: 17, n: 33, k: 65),
        Case(m: 255, n: 129, k: 300),
        Case(m: 255, n: 129, k: 300, transposeA: true),
        Case(m: 255, n: 129, k: 300, transposeB: true),
        Case(m: 255, n: 129, k: 300, transposeA: true, transposeB: true, alpha: -2, beta: 0.5, padding: 3),
        Case(m: 17, n: 33, k: 65, alpha: 0.25, beta: -1, padding: 5),
        Case(m: 64, n: 600, k: 40, transposeB: true, beta: 1),
        Case(m: 1030, n: 530, k: 20, transposeA: true),
    ]

    // tolerance: 1e-5 of Σ_p |alpha a_ip b_pj| + |beta c_ij| per entry: float rounding of a k-term
    // sum in any order stays near sqrt(k) ulp of that sum (about 1e-6 at k = 300); a wrong tile,
    // transpose or beta is off by the size of the sum itself.
    @Test(arguments: levels, cases)
    func matchesDoublePrecisionProduct(level: CPULevel, _ shape: Case) {
        var generator = SeededGenerator(seed: 17)
        let (rowsA, columnsA) = shape.transposeA ? (shape.k, shape.m) : (shape.m, shape.k)
        let (rowsB, columnsB) = shape.transposeB ? (shape.n, shape.k) : (shape.k, shape.n)
        let (lda, ldb, ldc) = (columnsA + shape.padding, columnsB + shape.padding, shape.n + shape.padding)
        let a = Tensor.normal([rowsA * lda], generator: &generator).scalars
        let b = Tensor.normal([rowsB * ldb], generator: &generator).scalars
        let initial = Tensor.normal([shape.m * ldc], generator: &generator).scalars
        var c = initial
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    BlockedSGEMM.multiply(
                        level: level, transposeA: shape.transposeA, transposeB: shape.transposeB,
                        m: shape.m, n: shape.n, k: shape.k, alpha: shape.alpha, a: a.baseAddress!, lda: lda,
                        b: b.baseAddress!, ldb: ldb, beta: shape.beta, c: c.baseAddress!, ldc: ldc)
                }
            }
        }
        var worst = 0.0
        for i in 0..<shape.m {
            for j in 0..<shape.n {
                var exact = 0.0, magnitude = 0.0
                for p in 0..<shape.k {
                    let x = Double(shape.transposeA ? a[p * lda + i] : a[i * lda + p])
                    let y = Double(shape.transposeB ? b[j * ldb + p] : b[p * ldb + j])
                    exact += x * y
                    magnitude += abs(x * y)
                }
                let previous = Double(shape.beta) * Double(initial[i * ldc + j])
                exact = Double(shape.alpha) * exact + previous
                magnitude = abs(Double(shape.alpha)) * magnitude + abs(previous)
                worst = max(worst, abs(Double(c[i * ldc + j]) - exact) / (1e-5 * magnitude))
            }
        }
        #expect(worst <= 1, "\(level) \(shape.testDescription): error \(worst) x tolerance")
        // The padding between rows of C is never written.
        let untouched = (0..<shape.m).allSatisfy { i in
            (shape.n..<ldc).allSatisfy { c[i * ldc + $0] == initial[i * ldc + $0] }
        }
        #expect(untouched, "\(level) \(shape.testDescription) wrote outside C")
    }

    @Test(arguments: levels)
    func betaZeroOverwritesNaNAndEmptyDepthScales(level: CPULevel) {
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: .nan, count: 4)
        BlockedSGEMM.multiply(level: level, m: 2, n: 2, k: 2, a: a, lda: 2, b: b, ldb: 2, c: &c, ldc: 2)
        #expect(c == [19, 22, 43, 50])
        // k = 0: C = beta C, and with beta = 0 every entry becomes 0 whatever it held.
        BlockedSGEMM.multiply(level: level, m: 2, n: 2, k: 0, a: a, lda: 1, b: b, ldb: 2, beta: 0.5, c: &c, ldc: 2)
        #expect(c == [9.5, 11, 21.5, 25])
        c[0] = .nan
        BlockedSGEMM.multiply(level: level, m: 2, n: 2, k: 0, a: a, lda: 1, b: b, ldb: 2, c: &c, ldc: 2)
        #expect(c == [0, 0, 0, 0])
    }

    @Test func configurationNamesTheGEMMThatRuns() {
        switch BLAS.gemm {
        case .blocked(let level): #expect(BLAS.configuration.hasPrefix("XADKit sgemm \(level); "))
        case .library: #expect(!BLAS.configuration.contains("XADKit sgemm"))
        }
    }
}
