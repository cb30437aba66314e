import XADTensor

/// The small U-Net the ``FramePrediction`` detector trains: it predicts frame `t` from frames
/// `t-k..t-1` stacked as channels (Liu et al. 2018's generator, scaled down for a CPU).
///
/// Encoder: two 3x3 convolutions with ReLU per level (`width`, `2·width`, `4·width` channels),
/// 2x2 max pooling between levels. Decoder: a 2x2 transposed convolution of stride 2 up a level,
/// concatenation with the encoder's features of that level (the skip connection), two 3x3
/// convolutions with ReLU; a 1x1 convolution and `tanh` give the predicted frame in -1...1. The
/// frame size must be a multiple of 4.
///
/// Training loss on windows `[B, k + 1, H, W]` (inputs, then the target frame), with `P` the
/// prediction and `F` the target (Liu et al., Eq. 1-3, without the adversarial and flow terms):
/// `L = mean (P - F)² + λ_gd · (mean ||∂x P| - |∂x F|| + mean ||∂y P| - |∂y F||)`.
///
/// Tensors: `down.<level>.<i>.*`, `up.<level>.*`, `merge.<level>.<i>.*`, `output.*`.
struct FramePredictionNetwork: TrainableModel {
    var down: [Sequential]
    var up: [ConvTranspose2D]
    var merge: [Sequential]
    var output: Conv2D
    /// The weight `λ_gd` of the gradient loss.
    let gradientWeight: Float
    /// The number of past frames the network reads.
    let inputFrames: Int

    /// A freshly initialised network reading `inputFrames` grey frames, `width` channels at the
    /// finest level.
    init(inputFrames: Int, width: Int, gradientWeight: Float, generator: inout SeededGenerator) throws {
        func block(_ inputs: Int, _ outputs: Int) throws -> Sequential {
            Sequential(try Conv2D(inputChannels: inputs, outputChannels: outputs, kernelSize: 3, padding: 1, generator: &generator),
                       Activation.relu,
                       try Conv2D(inputChannels: outputs, outputChannels: outputs, kernelSize: 3, padding: 1, generator: &generator),
                       Activation.relu)
        }
        let widths = [width, 2 * width, 4 * width]
        down = try widths.indices.map { try block($0 == 0 ? inputFrames : widths[$0 - 1], widths[$0]) }
        // Decoder levels, deepest first: up from widths[i + 1] to widths[i], merge the skip.
        up = try (0..<(widths.count - 1)).reversed().map {
            try ConvTranspose2D(inputChannels: widths[$0 + 1], outputChannels: widths[$0], kernelSize: 2, stride: 2,
                                generator: &generator)
        }
        merge = try (0..<(widths.count - 1)).reversed().map { try block(2 * widths[$0], widths[$0]) }
        output = try Conv2D(inputChannels: width, outputChannels: 1, kernelSize: 1, generator: &generator)
        self.gradientWeight = gradientWeight
        self.inputFrames = inputFrames
    }

    mutating func visit(_ visitor: inout ModuleVisitor) {
        for i in down.indices { visitor.child("down.\(i)", &down[i]) }
        for i in up.indices { visitor.child("up.\(i)", &up[i]) }
        for i in merge.indices { visitor.child("merge.\(i)", &merge[i]) }
        visitor.child("output", &output)
    }

    /// The predicted frame `[N, 1, H, W]` of past frames `[N, inputFrames, H, W]`, and the
    /// deepest encoder features `[N, 4·width, H/4, W/4]` (the Grad-CAM tap).
    func forward(_ past: Tensor) throws -> (prediction: Tensor, bottleneck: Tensor) {
        var skips: [Tensor] = []
        var x = past
        for (level, block) in down.enumerated() {
            if level > 0 { x = try x.maxPool2d(kernel: 2) }
            x = try block(x)
            skips.append(x)
        }
        let bottleneck = x
        for (i, upsample) in up.enumerated() {
            let skip = skips[skips.count - 2 - i]
            x = try merge[i](try Tensor.concatenate([try upsample(x), skip], axis: 1))
        }
        return (try output(x).tanh(), bottleneck)
    }

    /// Splits windows `[B, inputFrames + 1, H, W]` into the past frames and the target frame.
    func split(_ windows: Tensor) throws -> (past: Tensor, target: Tensor) {
        (try windows.sliced(axis: 1, range: 0..<inputFrames),
         try windows.sliced(axis: 1, range: inputFrames..<(inputFrames + 1)))
    }

    mutating func trainingLoss(_ batch: Tensor, generator: inout SeededGenerator) throws -> Tensor {
        try evaluationLoss(batch)
    }

    /// Intensity loss plus `gradientWeight` times the gradient loss.
    func evaluationLoss(_ batch: Tensor) throws -> Tensor {
        let (past, target) = try split(batch)
        let prediction = try forward(past).prediction
        let intensity = try Loss.meanSquaredError(prediction, target)
        guard gradientWeight > 0 else { return intensity }
        return try intensity + Self.gradientLoss(prediction, target) * gradientWeight
    }

    /// Liu et al.'s gradient loss (α = 1): the mean absolute difference of the absolute
    /// neighbour differences along x and along y, summed over the two directions.
    static func gradientLoss(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
        var total: Tensor?
        for axis in [2, 3] {
            let length = prediction.shape[axis]
            func difference(_ x: Tensor) throws -> Tensor {
                try (x.sliced(axis: axis, range: 1..<length) - x.sliced(axis: axis, range: 0..<(length - 1))).abs()
            }
            let term = try (difference(prediction) - difference(target)).abs().mean()
            total = try total.map { try $0 + term } ?? term
        }
        return total ?? Tensor(0)
    }
}
