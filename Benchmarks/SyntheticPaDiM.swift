import XADDetect
import XADModels
import XADTensor

/// The model the explainer benchmarks explain: PaDiM (EfficientNet-Lite0, anomalib's layers, 100
/// channels) fitted on 8 smooth synthetic images, and one more such image to explain.
enum SyntheticPaDiM {
    static func modelAndImage(size: Int) throws -> (model: PaDiM, image: Tensor) {
        var generator = SeededGenerator(seed: 11)
        // A smooth random image: noise blurred into blobs, in 0...1.
        func smoothImage() throws -> Tensor {
            try Tensor.uniform([1, 3, size, size], generator: &generator).gaussianBlur(sigma: 6)
        }
        let training = try (0..<8).map { _ in try smoothImage() }
        let model = try PaDiM.fit(on: InMemoryImages(training), setup: DetectorSetup(layers: PaDiM.defaultLayers),
                                  options: PaDiM.Options(), backbone: try EfficientNetLite.pretrained(.lite0), progress: nil)
        return (model, try smoothImage())
    }
}
