/// Data movement without arithmetic: strided gathers (permute, broadcast) and box copies (slice,
/// concatenate, pad). Both walk the outer axes like an odometer and run a tight loop over the
/// innermost one, so no index arrays are touched per element.
package enum ElementwiseCopy {
    /// `destination[i] = source[Σ index(i)[axis] * sourceStrides[axis]]` for every row-major index
    /// of `shape`. A stride of 0 repeats (broadcasts) the source along that axis.
    package static func gather(from source: UnsafePointer<Float>, sourceStrides: [Int],
                               into destination: UnsafeMutablePointer<Float>, shape: [Int]) {
        let count = shape.reduce(1, *)
        guard count > 0 else { return }
        guard let last = shape.indices.last else {
            destination[0] = source[0]
            return
        }
        let inner = shape[last], innerStride = sourceStrides[last]
        // A transpose-like gather (innermost output axis strided in the source, another output axis
        // contiguous there) goes tile by tile so that the strided reads stay in cache.
        if innerStride > 1, inner > 1,
           let contiguousAxis = sourceStrides.dropLast().lastIndex(where: { $0 == 1 }), shape[contiguousAxis] > 1 {
            tiledGather(from: source, sourceStrides: sourceStrides, into: destination, shape: shape,
                        contiguousAxis: contiguousAxis)
            return
        }
        var rows = Odometer(sizes: Array(shape[..<last]), sourceStrides: Array(sourceStrides[..<last]),
                            destinationStrides: Array(rowMajorStrides(shape)[..<last]))
        for _ in 0..<(count / inner) {
            let row = source + rows.sourceOffset, out = destination + rows.destinationOffset
            if innerStride == 1 {
                for j in 0..<inner { out[j] = row[j] }
            } else if innerStride == 0 {
                let value = row[0]
                for j in 0..<inner { out[j] = value }
            } else {
                for j in 0..<inner { out[j] = row[j * innerStride] }
            }
            rows.advance()
        }
    }

    /// ``gather(from:sourceStrides:into:shape:)`` in 16 x 16 tiles of the plane spanned by the
    /// innermost output axis and `contiguousAxis` (the output axis that is contiguous in the source).
    private static func tiledGather(from source: UnsafePointer<Float>, sourceStrides: [Int],
                                    into destination: UnsafeMutablePointer<Float>, shape: [Int],
                                    contiguousAxis: Int) {
        let tile = 16
        let last = shape.count - 1
        let destinationStrides = rowMajorStrides(shape)
        let rows = shape[contiguousAxis], columns = shape[last]
        let rowStride = destinationStrides[contiguousAxis], columnStride = sourceStrides[last]
        let others = shape.indices.filter { $0 != contiguousAxis && $0 != last }
        var planes = Odometer(sizes: others.map { shape[$0] }, sourceStrides: others.map { sourceStrides[$0] },
                              destinationStrides: others.map { destinationStrides[$0] })
        for _ in 0..<others.reduce(1, { $0 * shape[$1] }) {
            let sourceOffset = planes.sourceOffset, destinationOffset = planes.destinationOffset
            for rowStart in stride(from: 0, to: rows, by: tile) {
                let rowEnd = Swift.min(rows, rowStart + tile)
                for columnStart in stride(from: 0, to: columns, by: tile) {
                    let columnEnd = Swift.min(columns, columnStart + tile)
                    for row in rowStart..<rowEnd {
                        let from = source + sourceOffset + row, to = destination + destinationOffset + row * rowStride
                        for column in columnStart..<columnEnd { to[column] = from[column * columnStride] }
                    }
                }
            }
            planes.advance()
        }
    }

    /// Copies the box of size `extent` that starts at `sourceOrigin` in a `sourceShape` array into
    /// a `destinationShape` array at `destinationOrigin`. Callers check that the box fits in both.
    package static func copyBox(from source: UnsafePointer<Float>, sourceShape: [Int], sourceOrigin: [Int],
                                into destination: UnsafeMutablePointer<Float>, destinationShape: [Int],
                                destinationOrigin: [Int], extent: [Int]) {
        guard extent.allSatisfy({ $0 > 0 }) else { return }
        // Find the innermost axis that is not whole in both arrays; `run` counts the elements of
        // that axis's extent times everything inside it.
        var split = extent.count
        var run = 1
        while split > 0 {
            let axis = split - 1
            run *= extent[axis]
            guard extent[axis] == sourceShape[axis], extent[axis] == destinationShape[axis] else { break }
            split -= 1
        }
        if split == 0 {
            for j in 0..<run { destination[j] = source[j] }
            return
        }
        let rowAxis = split - 1
        let sourceStrides = rowMajorStrides(sourceShape), destinationStrides = rowMajorStrides(destinationShape)
        // The axes after `rowAxis` are whole, so `rowAxis` and everything inside it is one
        // contiguous run of `run` elements in both arrays; an odometer walks the axes before it.
        var rows = Odometer(sizes: Array(extent[..<rowAxis]), sourceStrides: Array(sourceStrides[..<rowAxis]),
                            destinationStrides: Array(destinationStrides[..<rowAxis]))
        for axis in extent.indices {
            rows.sourceOffset += sourceOrigin[axis] * sourceStrides[axis]
            rows.destinationOffset += destinationOrigin[axis] * destinationStrides[axis]
        }
        for _ in 0..<extent[..<rowAxis].reduce(1, *) {
            let from = source + rows.sourceOffset, to = destination + rows.destinationOffset
            for j in 0..<run { to[j] = from[j] }
            rows.advance()
        }
    }

    /// Row-major strides of a shape, in elements.
    package static func rowMajorStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var stride = 1
        for axis in shape.indices.reversed() {
            strides[axis] = stride
            stride *= shape[axis]
        }
        return strides
    }
}

/// Walks the indices of `sizes` in row-major order, keeping the matching offsets into a source and
/// a destination array with the given strides up to date (additions, not a dot product per index).
private struct Odometer {
    let sizes: [Int], sourceStrides: [Int], destinationStrides: [Int]
    var index: [Int]
    var sourceOffset = 0, destinationOffset = 0

    init(sizes: [Int], sourceStrides: [Int], destinationStrides: [Int]) {
        self.sizes = sizes
        self.sourceStrides = sourceStrides
        self.destinationStrides = destinationStrides
        index = [Int](repeating: 0, count: sizes.count)
    }

    /// Moves to the next index (past the last one, back to all zeros).
    mutating func advance() {
        var axis = sizes.count - 1
        while axis >= 0 {
            index[axis] += 1
            sourceOffset += sourceStrides[axis]
            destinationOffset += destinationStrides[axis]
            if index[axis] < sizes[axis] { return }
            sourceOffset -= index[axis] * sourceStrides[axis]
            destinationOffset -= index[axis] * destinationStrides[axis]
            index[axis] = 0
            axis -= 1
        }
    }
}
