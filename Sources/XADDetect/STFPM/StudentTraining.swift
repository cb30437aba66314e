import XADTensor

/// The student as the ``TrainingLoop`` trains it. Each training sample is one packed row
/// `[3·H·W + Σ C·h·w]`: the prepared image, then the frozen teacher's map at every tap (computed
/// once before training, not every epoch), so the loop can shuffle and batch them like images.
///
/// Loss: ``FeaturePyramidMatching/loss(teacher:student:)`` of the student's maps (batch norms
/// in training mode) against the packed teacher maps.
struct StudentTraining: TrainableModel {
    /// `[C, H, W]` of the image, then of each teacher map, in packing order.
    let shapes: [[Int]]
    var student: StudentNetwork

    mutating func visit(_ visitor: inout ModuleVisitor) { student.visit(&visitor) }

    /// Rows of `[image] + teacher maps` (each `[N, C, h, w]`), the layout ``unpacked(_:)`` reads.
    static func packed(image: Tensor, teacher: [Tensor]) throws -> Tensor {
        try Tensor.concatenate(([image] + teacher).map { try $0.flattened(fromAxis: 1) }, axis: 1)
    }

    /// The image `[B, 3, H, W]` and the teacher maps of packed rows `[B, Σ]`.
    func unpacked(_ rows: Tensor) throws -> (image: Tensor, teacher: [Tensor]) {
        var start = 0
        let parts = try shapes.map { shape in
            let length = shape.reduce(1, *)
            defer { start += length }
            return try rows.sliced(axis: 1, range: start..<(start + length)).reshaped([rows.shape[0]] + shape)
        }
        return (parts[0], Array(parts.dropFirst()))
    }

    /// The student's maps in tap order.
    private func ordered(_ maps: [String: Tensor]) throws -> [Tensor] {
        try FastFlow.scaleMaps(maps, layers: student.taps.map(\.name))
    }

    mutating func trainingLoss(_ batch: Tensor, generator: inout SeededGenerator) throws -> Tensor {
        let (image, teacher) = try unpacked(batch)
        return try FeaturePyramidMatching.loss(teacher: teacher, student: ordered(student(training: image)))
    }

    func evaluationLoss(_ batch: Tensor) throws -> Tensor {
        let (image, teacher) = try unpacked(batch)
        return try FeaturePyramidMatching.loss(teacher: teacher, student: ordered(student(image)))
    }
}
