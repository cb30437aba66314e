import XADTensor

/// Resamples `planes` independent `height x width` planes along both axes: first along each
/// row (width), then along each column (height), as Pillow and PyTorch do. An axis whose size
/// does not change is skipped, again as they do.
struct SeparableResampler: Sendable {
    let planes: Int
    let rows: ResampleAxis
    let columns: ResampleAxis

    private var intermediatePlane: Int { rows.inputSize * columns.outputSize }

    /// Fills `planes · rows.outputSize · columns.outputSize` outputs.
    func forward(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        if rows.isIdentity && columns.isIdentity {
            output.initialize(from: input, count: planes * intermediatePlane)
            return
        }
        if rows.isIdentity {
            SeparableResampler.along(columns, lines: planes * rows.inputSize, input: input, output: output)
            return
        }
        var intermediate: UnsafeMutablePointer<Float>?
        defer { intermediate?.deallocate() }
        var verticalSource = input
        if !columns.isIdentity {
            // Along rows first: every input row of every plane becomes one row of the intermediate image.
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: planes * intermediatePlane)
            SeparableResampler.along(columns, lines: planes * rows.inputSize, input: input, output: buffer)
            intermediate = buffer
            verticalSource = UnsafePointer(buffer)
        }
        let source = UncheckedSendable(verticalSource), destination = UncheckedSendable(output)
        let width = columns.outputSize, inputPlane = intermediatePlane, outputPlane = rows.outputSize * width
        ReductionKernels.forEachOuter(planes * rows.outputSize, work: rows.taps * width) { line in
            let plane = line / rows.outputSize, y = line % rows.outputSize
            let out = destination.value + plane * outputPlane + y * width
            let from = source.value + plane * inputPlane
            rows.weights.withUnsafeBufferPointer { weights in
                guard let base = weights.baseAddress else { return }
                let window = from + rows.starts[y] * width, w = base + y * rows.taps
                for x in 0..<width { out[x] = window[x] * w[0] }
                for k in 1..<rows.taps {
                    let row = window + k * width, weight = w[k]
                    for x in 0..<width { out[x] += row[x] * weight }
                }
            }
        }
    }

    /// Resamples `lines` contiguous lines of `axis.inputSize` samples into lines of
    /// `axis.outputSize` samples; parallel over lines.
    private static func along(_ axis: ResampleAxis, lines: Int,
                              input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let inputLine = axis.inputSize, outputLine = axis.outputSize
        let source = UncheckedSendable(input), destination = UncheckedSendable(output)
        ReductionKernels.forEachOuter(lines, work: axis.taps * outputLine) { line in
            let from = source.value + line * inputLine, out = destination.value + line * outputLine
            axis.starts.withUnsafeBufferPointer { starts in
                axis.weights.withUnsafeBufferPointer { weights in
                    guard let base = weights.baseAddress else { return }
                    for o in 0..<outputLine {
                        let window = from + starts[o], w = base + o * axis.taps
                        var sum = window[0] * w[0]
                        for k in 1..<axis.taps { sum += window[k] * w[k] }
                        out[o] = sum
                    }
                }
            }
        }
    }

    /// The gradient of ``forward(_:into:)`` with respect to its input: each upstream value is
    /// scattered back to the samples it read, with the same weights (the transposed passes).
    func backward(_ upstream: UnsafePointer<Float>, into gradient: UnsafeMutablePointer<Float>) {
        let inputPlane = rows.inputSize * columns.inputSize
        let outputPlane = rows.outputSize * columns.outputSize
        let source = UncheckedSendable(upstream), destination = UncheckedSendable(gradient)
        ReductionKernels.forEachOuter(planes, work: (rows.taps + columns.taps) * outputPlane) { plane in
            let intermediate = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(intermediatePlane, 1))
            defer { intermediate.deallocate() }
            let g = source.value + plane * outputPlane, width = columns.outputSize
            if rows.isIdentity {
                intermediate.initialize(from: g, count: intermediatePlane)
            } else {
                intermediate.initialize(repeating: 0, count: intermediatePlane)
                for y in 0..<rows.outputSize {
                    for k in 0..<rows.taps {
                        let row = intermediate + (rows.starts[y] + k) * width
                        let w = rows.weights[y * rows.taps + k]
                        for x in 0..<width { row[x] += g[y * width + x] * w }
                    }
                }
            }
            let out = destination.value + plane * inputPlane
            if columns.isIdentity {
                out.initialize(from: intermediate, count: inputPlane)
                return
            }
            out.initialize(repeating: 0, count: inputPlane)
            for r in 0..<rows.inputSize {
                let line = out + r * columns.inputSize, from = intermediate + r * width
                for o in 0..<width {
                    for k in 0..<columns.taps {
                        line[columns.starts[o] + k] += from[o] * columns.weights[o * columns.taps + k]
                    }
                }
            }
        }
    }
}
