extension Tensor {
    /// He (Kaiming) uniform initialisation: elements uniform in `[-b, b)` with
    /// `b = sqrt(6 / ((1 + a²) · fanIn))`.
    ///
    /// The default slope `a = √5` gives `b = 1 / sqrt(fanIn)`, PyTorch's default for `nn.Conv2d`
    /// and `nn.Linear` weights (and, with the same bound, their biases).
    ///
    /// ```swift
    /// var g = SeededGenerator(seed: 0)
    /// let w = Tensor.kaimingUniform([64, 3, 3, 3], fanIn: 27, generator: &g)   // bound 1/√27
    /// ```
    public static func kaimingUniform(_ shape: [Int], fanIn: Int, negativeSlope: Float = Float(5).squareRoot(),
                                      generator: inout SeededGenerator) -> Tensor {
        let bound = (6 / ((1 + negativeSlope * negativeSlope) * Float(Swift.max(fanIn, 1)))).squareRoot()
        return uniform(shape, in: -bound..<bound, generator: &generator)
    }
}
