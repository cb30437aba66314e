import XADTensor

/// The trained part of ``FastFlow``: per backbone scale, a ``LayerNorm`` over the whole feature
/// map `[C, h, w]` and a 2D flow of ``AffineCouplingBlock``s (3x3 and 1x1 subnets alternating),
/// as anomalib's `FastflowModel` builds them for CNN backbones.
///
/// Trained by maximum likelihood under a standard normal: per scale the mean over images of
/// `0.5 · Σ z² - log|det ∂z/∂x|`, summed over scales (anomalib's `FastflowLoss`).
///
/// The training samples are the frozen backbone's maps, computed once and packed one image per
/// row (`[N, Σ C·h·w]`, scale after scale), so the ``TrainingLoop`` can shuffle and batch them
/// like images without running the backbone every epoch.
///
/// Tensors: `norms.<scale>.*`, `flows.<scale>.<step>.*` (see ``AffineCouplingBlock``).
struct FastFlowNetwork: TrainableModel {
    /// `[C, h, w]` of each scale, finest first.
    let shapes: [[Int]]
    var norms: [LayerNorm]
    var flows: [[AffineCouplingBlock]]

    /// A fresh network for feature maps of `shapes`; step `i` uses a 1x1 subnet when `i` is odd
    /// (unless `conv3x3Only`), 3x3 otherwise.
    init(shapes: [[Int]], steps: Int, hiddenRatio: Float, clamp: Float, conv3x3Only: Bool,
         generator: inout SeededGenerator) throws {
        self.shapes = shapes
        norms = shapes.map { LayerNorm(shape: $0) }
        flows = try shapes.map { shape in
            try (0..<steps).map { step in
                try AffineCouplingBlock(channels: shape[0], kernelSize: step % 2 == 1 && !conv3x3Only ? 1 : 3,
                                        hiddenRatio: hiddenRatio, clamp: clamp, generator: &generator)
            }
        }
    }

    mutating func visit(_ visitor: inout ModuleVisitor) {
        for scale in norms.indices {
            visitor.child("norms.\(scale)", &norms[scale])
            for step in flows[scale].indices { visitor.child("flows.\(scale).\(step)", &flows[scale][step]) }
        }
    }

    /// `z` and `log|det ∂z/∂x|` (`[N]`) of each scale for the raw backbone maps of each scale.
    func forward(_ maps: [Tensor]) throws -> [(z: Tensor, logDeterminant: Tensor)] {
        guard maps.count == shapes.count else {
            throw DetectorError.invalidInput("FastFlow was trained on \(shapes.count) feature scales, got \(maps.count)")
        }
        return try zip(maps, zip(norms, flows)).map { map, stage in
            let (norm, steps) = stage
            var z = try norm(map)
            var logDeterminant = Tensor.zeros([map.shape[0]])
            for step in steps {
                let (next, stepLogDeterminant) = try step.forward(z)
                z = next
                logDeterminant = try logDeterminant + stepLogDeterminant
            }
            return (z, logDeterminant)
        }
    }

    /// anomalib's anomaly map `[N, H, W]` of the raw backbone maps of each scale: per scale
    /// `-exp(-0.5 · mean_c z²)` (`[N, 1, h, w]`), upsampled bilinearly to `size`, averaged over
    /// scales. Differentiable.
    func anomalyMap(_ maps: [Tensor], size: Size2) throws -> Tensor {
        var sum: Tensor?
        for (z, _) in try forward(maps) {
            let likelihood = try (z.squared().mean(axes: [1], keepingDimensions: true) * -0.5).exp()
            let upsampled = try (-likelihood).resized(to: size, mode: .bilinear)
            sum = try sum.map { try $0 + upsampled } ?? upsampled
        }
        guard let sum, let count = maps.first?.shape[0] else { throw DetectorError.invalidInput("FastFlow has no feature scales") }
        return try (sum / Float(maps.count)).reshaped([count, size.height, size.width])
    }

    /// The maps of each scale `[B, C, h, w]` from packed rows `[B, Σ C·h·w]`.
    func unpacked(_ rows: Tensor) throws -> [Tensor] {
        var start = 0
        return try shapes.map { shape in
            let length = shape.reduce(1, *)
            defer { start += length }
            return try rows.sliced(axis: 1, range: start..<(start + length)).reshaped([rows.shape[0]] + shape)
        }
    }

    /// Backbone maps of each scale packed one image per row, the layout ``unpacked(_:)`` reads.
    static func packed(_ maps: [Tensor]) throws -> Tensor {
        try Tensor.concatenate(maps.map { try $0.flattened(fromAxis: 1) }, axis: 1)
    }

    /// anomalib's loss: `Σ_scales mean_n (0.5 · Σ z² - log|det|)`.
    static func negativeLogLikelihood(_ outputs: [(z: Tensor, logDeterminant: Tensor)]) throws -> Tensor {
        var total = Tensor(0)
        for (z, logDeterminant) in outputs {
            total = try total + (z.squared().sum(axes: [1, 2, 3]) * 0.5 - logDeterminant).mean()
        }
        return total
    }

    mutating func trainingLoss(_ batch: Tensor, generator: inout SeededGenerator) throws -> Tensor {
        try evaluationLoss(batch)
    }

    func evaluationLoss(_ batch: Tensor) throws -> Tensor {
        try Self.negativeLogLikelihood(forward(unpacked(batch)))
    }
}
