extension Tensor {
    /// Smooths each plane of an NCHW tensor with a Gaussian, matching anomalib's
    /// `GaussianBlur2d(sigma, channels=C)` (kornia kernel, reflect padding, "same" output size);
    /// differentiable.
    ///
    /// The kernel has `kernelSize` taps (default `2 · ⌊4σ + 0.5⌋ + 1`, anomalib's choice) with
    /// weights `w[k] ∝ exp(-(k - K/2)² / 2σ²)` summing to 1; it is applied along height and then
    /// width (the 2-D kernel is their outer product). Borders reflect without repeating the edge
    /// pixel (`… x2 x1 | x0 x1 x2 …`), periodically when the padding exceeds the plane, which
    /// agrees with PyTorch's `"reflect"` wherever that is defined.
    ///
    /// ```swift
    /// let smooth = try anomalyMap.gaussianBlur(sigma: 4)   // 33 × 33 kernel, as in PaDiM/PatchCore
    /// ```
    /// - Throws: ``TensorError`` when the input is not rank 4, `sigma` is not positive and
    ///   finite, or `kernelSize` is not a positive odd number.
    public func gaussianBlur(sigma: Float, kernelSize: Int? = nil) throws -> Tensor {
        guard rank == 4 else {
            throw TensorError(.shapeMismatch, "gaussianBlur", "input \(shape) must be NCHW (rank 4)")
        }
        guard sigma > 0, sigma.isFinite else {
            throw TensorError(.invalidArgument, "gaussianBlur", "sigma \(sigma) must be positive and finite")
        }
        let size = kernelSize ?? 2 * Int(4 * sigma + 0.5) + 1
        guard size > 0, size % 2 == 1 else {
            throw TensorError(.invalidArgument, "gaussianBlur", "kernel size \(size) must be a positive odd number")
        }
        return separableFilter(Tensor.gaussianWeights(size: size, sigma: sigma), border: .mirror, name: "gaussianBlur")
    }

    /// How a filter extends a plane beyond its border.
    enum FilterBorder: Sendable {
        /// `… x2 x1 | x0 x1 x2 …` (PyTorch's `"reflect"`, scipy's `"mirror"`).
        case mirror
        /// `… x1 x0 | x0 x1 …`, the edge pixel repeated (scipy.ndimage's `"reflect"`, numpy's `"symmetric"`).
        case symmetric
    }

    /// Correlates each plane of an NCHW tensor with the outer product of `weights` (odd length)
    /// with itself, extending the planes by `border`; "same" output size, differentiable.
    func separableFilter(_ weights: [Float], border: FilterBorder, name: String) -> Tensor {
        let planes = shape[0] * shape[1], height = shape[2], width = shape[3]
        let alongHeight = LineOperator(weights, border: border, lines: height)
        let alongWidth = LineOperator(weights, border: border, lines: width)
        let result = blurPlanes(planes: planes, height: height, width: width,
                                alongHeight: alongHeight, alongWidth: alongWidth)
        return Tensor.recording(result, name, inputs: [self]) { g, _ in
            [g.blurPlanes(planes: planes, height: height, width: width,
                          alongHeight: alongHeight.transposed, alongWidth: alongWidth.transposed)]
        }
    }

    /// The normalised 1-D Gaussian, computed in Float32 like kornia's `gaussian`.
    private static func gaussianWeights(size: Int, sigma: Float) -> [Float] {
        let centre = Float(size / 2)
        let raw = (0..<size).map { k in _exp(-(Float(k) - centre) * (Float(k) - centre) / (2 * sigma * sigma)) }
        let total = raw.reduce(0, +)
        return raw.map { $0 / total }
    }

    /// Applies `alongHeight` to the rows of every `[height, width]` plane, then `alongWidth` to
    /// the columns (through a transpose, so both passes run over contiguous rows).
    private func blurPlanes(planes: Int, height: Int, width: Int,
                            alongHeight: LineOperator, alongWidth: LineOperator) -> Tensor {
        let vertical = alongHeight.apply(to: self, planes: planes, lineLength: width)
        let columns = vertical.transposingPlanes(planes: planes, rows: height, columns: width)
        let horizontal = alongWidth.apply(to: columns, planes: planes, lineLength: height)
        let blurred = horizontal.transposingPlanes(planes: planes, rows: width, columns: height)
        return Tensor(shape: shape, storage: blurred.storage)
    }

    /// `[planes, rows, columns]` -> `[planes, columns, rows]`; records nothing.
    private func transposingPlanes(planes: Int, rows: Int, columns: Int) -> Tensor {
        Tensor(shape: [planes, columns, rows]) { out in
            guard let destination = out.baseAddress else { return }
            ElementwiseCopy.gather(from: storage.base, sourceStrides: [rows * columns, 1, columns],
                                   into: destination, shape: [planes, columns, rows])
        }
    }
}

/// A linear map along one axis: output line `o` is `Σ weight · input line source` over
/// `terms[o]`. Lines are whole rows, so applying it is a sequence of vectorised row updates.
private struct LineOperator: Sendable {
    struct Term: Sendable {
        let source: Int
        let weight: Float
    }

    let terms: [[Term]]
    let inputLines: Int

    /// Correlation with `weights` (odd length) after extending `lines` lines by `border`.
    init(_ weights: [Float], border: Tensor.FilterBorder, lines: Int) {
        let radius = weights.count / 2
        let fold = border == .mirror ? LineOperator.reflect : LineOperator.symmetric
        terms = (0..<lines).map { o in
            weights.indices.map { k in Term(source: fold(o + k - radius, lines), weight: weights[k]) }
        }
        inputLines = lines
    }

    private init(terms: [[Term]], inputLines: Int) {
        self.terms = terms
        self.inputLines = inputLines
    }

    /// The adjoint map, which carries gradients back.
    var transposed: LineOperator {
        var adjoint = [[Term]](repeating: [], count: inputLines)
        for (o, row) in terms.enumerated() {
            for term in row { adjoint[term.source].append(Term(source: o, weight: term.weight)) }
        }
        return LineOperator(terms: adjoint, inputLines: terms.count)
    }

    /// Index `i` reflected into `0..<count` about the edge pixels, repeating with period
    /// `2 (count - 1)`.
    static func reflect(_ i: Int, _ count: Int) -> Int {
        guard count > 1 else { return 0 }
        let period = 2 * (count - 1)
        let folded = ((i % period) + period) % period
        return folded < count ? folded : period - folded
    }

    /// Index `i` reflected into `0..<count` with the edge pixels repeated, with period `2 count`.
    static func symmetric(_ i: Int, _ count: Int) -> Int {
        let period = 2 * count
        let folded = ((i % period) + period) % period
        return folded < count ? folded : period - 1 - folded
    }

    /// Applies the map to `[planes, inputLines, lineLength]`, giving `[planes, terms.count, lineLength]`.
    func apply(to input: Tensor, planes: Int, lineLength: Int) -> Tensor {
        let outputLines = terms.count
        let inputPlane = inputLines * lineLength
        return Tensor(shape: [planes, outputLines, lineLength]) { out in
            guard let base = out.baseAddress else { return }
            let destinationBase = UncheckedSendable(base), source = input.storage.base
            ReductionKernels.forEachOuter(planes * outputLines, work: lineLength * (terms.first?.count ?? 1)) { line in
                let plane = line / outputLines, o = line % outputLines
                let destination = destinationBase.value + line * lineLength
                let planeStart = source + plane * inputPlane
                destination.initialize(repeating: 0, count: lineLength)
                for term in terms[o] {
                    let row = planeStart + term.source * lineLength, weight = term.weight
                    for i in 0..<lineLength { destination[i] += weight * row[i] }
                }
            }
        }
    }
}
