import XADImage
import XADTensor

/// STFPM's map recomputed with recorded operations: teacher, student (batch norms with their
/// running statistics), normalisation, cosine distance and upsampling are all smooth almost
/// everywhere, so d map / d input and d map / d teacher tap come from the tape.
extension STFPM: DifferentiableDetector {
    /// The map ``score(batch:)`` returns, `[N, H, W]`, and the teacher's maps (the backbone's
    /// activations, which Grad-CAM reads).
    public func differentiableForward(batch: Tensor) throws -> DifferentiableOutput {
        let layers = student.taps.map(\.name)
        let teacherMaps = try teacher.features(batch, upTo: layers.last)
        let studentMaps = try student(batch)
        let map = try FeaturePyramidMatching.anomalyMap(
            teacher: FastFlow.scaleMaps(teacherMaps, layers: layers), student: FastFlow.scaleMaps(studentMaps, layers: layers),
            size: Size2(height: batch.shape[2], width: batch.shape[3]), combination: options.combination)
        return DifferentiableOutput(map: map, activations: teacherMaps)
    }
}
