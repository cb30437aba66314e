import XADTensor

/// Seeded random changes to each training image of a batch, drawn from the training loop's
/// per-epoch generator (so a resumed run augments exactly as an uninterrupted one): flips,
/// a random crop of a reflect-padded image back to its size, and a small brightness and contrast
/// jitter. Applied in this order, to prepared (normalised) images `[B, C, H, W]`.
///
/// ```swift
/// let textures = Augmentation(horizontalFlip: true, verticalFlip: true, cropPadding: 8)   // Bergmann et al.
/// let augmented = textures.apply(to: batch, generator: &generator)
/// ```
public struct Augmentation: Codable, Sendable, Equatable {
    /// Mirror left-right with probability 1/2.
    public var horizontalFlip: Bool
    /// Mirror top-bottom with probability 1/2.
    public var verticalFlip: Bool
    /// Shift by up to this many pixels each way: crop the image padded by reflection (`… x2 x1 |
    /// x0 x1 …`) at a uniformly drawn offset. 0: no crop.
    public var cropPadding: Int
    /// Colour jitter amplitude `j`: each image becomes `c · (x - mean) + mean + b` with contrast
    /// `c` uniform in `[1 - j, 1 + j]` and brightness `b` uniform in `[-j, j]` (in normalised
    /// units; `mean` the image's own). 0: none.
    public var jitter: Float

    /// No augmentation.
    public static let none = Augmentation()

    public init(horizontalFlip: Bool = false, verticalFlip: Bool = false, cropPadding: Int = 0, jitter: Float = 0) {
        self.horizontalFlip = horizontalFlip
        self.verticalFlip = verticalFlip
        self.cropPadding = cropPadding
        self.jitter = jitter
    }

    /// Whether ``apply(to:generator:)`` changes anything (and draws any random numbers).
    public var isIdentity: Bool { !horizontalFlip && !verticalFlip && cropPadding == 0 && jitter == 0 }

    /// Throws ``OptionError/invalidValue(method:message:)`` for a negative or non-finite amount.
    public func validate(method: String) throws {
        guard cropPadding >= 0, jitter >= 0, jitter.isFinite else {
            throw OptionError.invalidValue(method: method, message: "cropPadding and jitter must be 0 or more, got \(cropPadding) and \(jitter)")
        }
    }

    /// `batch` (`[B, C, H, W]`) with each image changed at random; records nothing on a tape.
    public func apply(to batch: Tensor, generator: inout SeededGenerator) -> Tensor {
        guard !isIdentity, batch.rank == 4 else { return batch }
        let (count, channels, height, width) = (batch.shape[0], batch.shape[1], batch.shape[2], batch.shape[3])
        let plane = height * width, image = channels * plane
        let source = batch.scalars
        var output = [Float](repeating: 0, count: source.count)
        for n in 0..<count {
            let flipX = horizontalFlip && generator.next() & 1 == 1
            let flipY = verticalFlip && generator.next() & 1 == 1
            let span = UInt64(2 * cropPadding + 1)
            let (dy, dx) = cropPadding > 0
                ? (Int(generator.next() % span) - cropPadding, Int(generator.next() % span) - cropPadding) : (0, 0)
            let contrast = jitter > 0 ? 1 + jitter * (2 * Float.random(in: 0..<1, using: &generator) - 1) : 1
            let brightness = jitter > 0 ? jitter * (2 * Float.random(in: 0..<1, using: &generator) - 1) : 0
            let mean = jitter > 0 ? source[(n * image)..<((n + 1) * image)].reduce(0, +) / Float(image) : 0
            for c in 0..<channels {
                let base = n * image + c * plane
                for y in 0..<height {
                    let sourceY = Self.mirrored((flipY ? height - 1 - y : y) + dy, height)
                    for x in 0..<width {
                        let sourceX = Self.mirrored((flipX ? width - 1 - x : x) + dx, width)
                        let value = source[base + sourceY * width + sourceX]
                        output[base + y * width + x] = contrast * (value - mean) + mean + brightness
                    }
                }
            }
        }
        return Tensor(shape: batch.shape) { buffer in
            for i in buffer.indices { buffer[i] = output[i] }
        }
    }

    /// `i` reflected into `0..<count` without repeating the edge pixel.
    private static func mirrored(_ i: Int, _ count: Int) -> Int {
        guard count > 1 else { return 0 }
        let period = 2 * (count - 1)
        let folded = ((i % period) + period) % period
        return folded < count ? folded : period - folded
    }
}
