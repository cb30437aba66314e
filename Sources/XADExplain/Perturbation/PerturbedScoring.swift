import XADDetect
import XADImage
import XADTensor

/// Scores perturbed copies of one image with a detector, at the detector's own input resolution
/// and in batches: the machinery every perturbation explainer and faithfulness measure shares.
///
/// The image is resampled (and cropped) exactly as the detector's preprocessing does, but kept in
/// 0...1 so that perturbations mix real pixel values; each batch is normalised just before
/// scoring. The target is read from each anomaly map resized to the image's size, exactly as the
/// gradient methods read it (``ExplanationTarget/values(of:at:)``). Maps built here are at the
/// model's resolution and are resized to the image's size by ``mapAtImageSize(_:)``.
///
/// ```swift
/// let scoring = try PerturbedScoring(detector: model, image: image, target: .imageScore)
/// let values = try scoring.targetValues(count: 100) { index in perturbed(index) }
/// ```
public struct PerturbedScoring: Sendable {
    /// The detector being explained.
    public let detector: any AnomalyDetector
    /// What is explained.
    public let target: ExplanationTarget
    /// The image at the model's resolution, `[1, 3, h, w]` in 0...1.
    public let modelImage: Tensor
    /// The explained image's own size.
    public let imageSize: Size2
    /// How many perturbed images go to the detector at once.
    public let batchSize: Int
    /// `modelImage`'s scalars, read by ``blended(baseline:keep:)``.
    public let pixels: [Float]

    /// - Throws: ``ExplainerError`` for an image that is not a finite `[1, C, H, W]`, a target that does
    ///   not fit it or a batch size below 1; `TensorError` when preprocessing fails.
    public init(detector: any AnomalyDetector, image: Tensor, target: ExplanationTarget, batchSize: Int = 16) throws {
        guard image.rank == 4, image.shape[0] == 1, image.shape[2] > 0, image.shape[3] > 0 else {
            throw ExplainerError.invalidInput("the image must be one [1, C, H, W] tensor, got shape \(image.shape)")
        }
        guard image.scalars.allSatisfy(\.isFinite) else {
            throw ExplainerError.invalidInput("the image has non-finite values (NaN or infinity)")
        }
        guard batchSize >= 1 else { throw ExplainerError.invalidOption("the batch size must be at least 1, got \(batchSize)") }
        imageSize = Size2(height: image.shape[2], width: image.shape[3])
        // Checks the target against the image's size before any scoring.
        _ = try target.values(of: Tensor.zeros([1, imageSize.height, imageSize.width]))
        var resampling = detector.setup.preprocessing
        resampling.mean = Array(repeating: 0, count: resampling.mean.count)
        resampling.std = Array(repeating: 1, count: resampling.std.count)
        modelImage = try resampling(image)
        pixels = modelImage.scalars
        self.detector = detector
        self.target = target
        self.batchSize = batchSize
    }

    /// The model's input size `h x w`.
    public var modelSize: Size2 { Size2(height: modelImage.shape[2], width: modelImage.shape[3]) }

    /// The target's value on the unperturbed image.
    public func originalValue() throws -> Float {
        try targetValues(of: [modelImage])[0]
    }

    /// The target's value on `count` perturbed images, made one at a time by `perturbed(index)`
    /// (each `[1, 3, h, w]` in 0...1) and scored `batchSize` at a time, so at most one batch is
    /// held in memory.
    public func targetValues(count: Int, _ perturbed: (Int) throws -> Tensor) throws -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(count)
        var start = 0
        while start < count {
            let end = min(start + batchSize, count)
            values += try targetValues(of: (start..<end).map(perturbed))
            start = end
        }
        return values
    }

    /// The target's value on each of `images` (`[1, 3, h, w]` in 0...1), scored as one batch.
    public func targetValues(of images: [Tensor]) throws -> [Float] {
        guard !images.isEmpty else { return [] }
        let preprocessing = detector.setup.preprocessing
        let batch = try Tensor.concatenate(images, axis: 0).normalized(mean: preprocessing.mean, std: preprocessing.std)
        let maps = try detector.score(batch: batch).map { try $0.map.unsqueezed(axis: 0) }
        return try target.values(of: Tensor.concatenate(maps, axis: 0), at: imageSize).scalars
    }

    /// A `[h, w]` map at the model's resolution resized (bilinear) to the image's size `[H, W]`.
    public func mapAtImageSize(_ map: Tensor) throws -> Tensor {
        let size = modelSize
        guard size != imageSize else { return map }
        return try map.reshaped([1, 1, size.height, size.width]).resized(to: imageSize)
            .reshaped([imageSize.height, imageSize.width])
    }

    /// The model-resolution image with `baseline` (`[1, 3, h, w]` scalars) wherever `keep`
    /// (`[h, w]` in 0...1, shared by the channels) is below 1: `image · keep + baseline · (1 - keep)`.
    /// Every perturbation method scores images made this way.
    public func blended(baseline: [Float], keep: [Float]) -> Tensor {
        let plane = modelImage.shape[2] * modelImage.shape[3]
        return Tensor(shape: modelImage.shape) { out in
            for p in 0..<modelImage.shape[1] {
                let offset = p * plane
                for i in 0..<plane {
                    let k = keep[i]
                    out[offset + i] = pixels[offset + i] * k + baseline[offset + i] * (1 - k)
                }
            }
        }
    }
}
