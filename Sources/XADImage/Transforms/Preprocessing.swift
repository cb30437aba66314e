import XADTensor

/// How an image becomes a detector's input tensor: gray to RGB, resize, optional centre crop,
/// normalise. Detectors save this value inside every model, so a saved model always prepares
/// new images exactly as it prepared its training images.
///
/// The defaults suit the EfficientNet-Lite backbones (TensorFlow-trained, input in -1...1):
/// 256 x 256, bilinear with antialias, RGB, mean = std = 0.5, no crop. A JSON object missing
/// any key takes that key's default, so older saved models keep loading.
///
/// ```swift
/// let prepare = Preprocessing()                                  // 256x256, mean = std = 0.5
/// let input = try prepare(try Image(contentsOf: url).toTensor())  // [1, 3, 256, 256]
/// let anomalib = Preprocessing(imageSize: Size2(256), centerCrop: Size2(224),
///                              mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
/// ```
public struct Preprocessing: Codable, Sendable, Equatable {
    /// The size images are resampled to (before any crop). Default 256 x 256.
    public var imageSize: Size2
    /// The resampling filter. Default ``ResampleFilter/bilinear``.
    public var filter: ResampleFilter
    /// Whether to antialias when shrinking (torchvision's `antialias`). Default `true`.
    public var antialias: Bool
    /// The centre window kept after resampling; `nil` (the default) keeps the whole image.
    public var centerCrop: Size2?
    /// Per-channel means subtracted after resizing. Default `[0.5, 0.5, 0.5]`.
    public var mean: [Float]
    /// Per-channel deviations divided by. Default `[0.5, 0.5, 0.5]`.
    public var std: [Float]
    /// Whether images are made RGB first, as Pillow's `convert("RGB")` does when anomalib loads
    /// them: gray is repeated into three channels and alpha (2 or 4 channels) is dropped.
    /// Backbones want three channels. Default `true`.
    public var grayscaleToRGB: Bool

    public init(imageSize: Size2 = Size2(256), filter: ResampleFilter = .bilinear, antialias: Bool = true,
                centerCrop: Size2? = nil, mean: [Float] = [0.5, 0.5, 0.5], std: [Float] = [0.5, 0.5, 0.5],
                grayscaleToRGB: Bool = true) {
        self.imageSize = imageSize
        self.filter = filter
        self.antialias = antialias
        self.centerCrop = centerCrop
        self.mean = mean
        self.std = std
        self.grayscaleToRGB = grayscaleToRGB
    }

    public init(from decoder: Decoder) throws {
        let defaults = Preprocessing()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        imageSize = try container.decodeIfPresent(Size2.self, forKey: .imageSize) ?? defaults.imageSize
        filter = try container.decodeIfPresent(ResampleFilter.self, forKey: .filter) ?? defaults.filter
        antialias = try container.decodeIfPresent(Bool.self, forKey: .antialias) ?? defaults.antialias
        centerCrop = try container.decodeIfPresent(Size2.self, forKey: .centerCrop)
        mean = try container.decodeIfPresent([Float].self, forKey: .mean) ?? defaults.mean
        std = try container.decodeIfPresent([Float].self, forKey: .std) ?? defaults.std
        grayscaleToRGB = try container.decodeIfPresent(Bool.self, forKey: .grayscaleToRGB) ?? defaults.grayscaleToRGB
    }

    /// The size of the tensors this produces (the crop when there is one).
    public var outputSize: Size2 { centerCrop ?? imageSize }

    /// The prepared `[N, C, H, W]` tensor for an image in 0...1 (`[N, C, H, W]` or `[C, H, W]`,
    /// e.g. straight from ``Image/toTensor()``; the result always has the batch axis). Differentiable.
    /// - Throws: `TensorError` when the image is not a tensor image, or its channel count does
    ///   not match `mean` and `std` (after any gray-to-RGB step).
    public func callAsFunction(_ image: Tensor) throws -> Tensor {
        let layout = try ImageLayout(image, "Preprocessing")
        var x = layout.isBatched ? image : try image.unsqueezed(axis: 0)
        if grayscaleToRGB {
            if layout.channels == 2 || layout.channels == 4 { x = try x.sliced(axis: 1, range: 0..<(layout.channels - 1)) }
            if layout.channels <= 2 { x = try x.grayscaleToRGB() }
        }
        if layout.height != imageSize.height || layout.width != imageSize.width {
            x = try x.resampled(to: imageSize, filter: filter, antialias: antialias)
        }
        if let centerCrop { x = try x.centerCropped(to: centerCrop) }
        return try x.normalized(mean: mean, std: std)
    }
}
