import XADTensor

/// The sizes of an image tensor in XADTensor's layout: `[N, C, H, W]`, or `[C, H, W]` for one
/// image. Transforms and drawing read their input through it, so every one of them accepts both
/// ranks and keeps the rank it was given.
package struct ImageLayout: Equatable, Sendable {
    package var batch: Int
    package var channels: Int
    package var height: Int
    package var width: Int
    /// Whether the tensor has the leading batch axis (rank 4).
    package var isBatched: Bool

    /// Reads the layout of `tensor`, checking that it is an image for `operation`.
    /// - Parameter allowedChannels: the channel counts the operation accepts (`nil`: any).
    /// - Throws: `TensorError` naming `operation` for another rank, an empty axis or a channel
    ///   count outside `allowedChannels`.
    package init(_ tensor: Tensor, _ operation: String, allowedChannels: Set<Int>? = nil) throws {
        let shape = tensor.shape
        guard shape.count == 3 || shape.count == 4 else {
            throw TensorError(.shapeMismatch, operation, "image shape \(shape) is not [N, C, H, W] or [C, H, W]")
        }
        guard shape.allSatisfy({ $0 > 0 }) else {
            throw TensorError(.shapeMismatch, operation, "image shape \(shape) has an empty axis")
        }
        isBatched = shape.count == 4
        batch = isBatched ? shape[0] : 1
        (channels, height, width) = (shape[shape.count - 3], shape[shape.count - 2], shape[shape.count - 1])
        if let allowedChannels, !allowedChannels.contains(channels) {
            let wanted = allowedChannels.sorted().map(String.init).joined(separator: " or ")
            throw TensorError(.shapeMismatch, operation, "image shape \(shape) has \(channels) channels (want \(wanted))")
        }
    }

    /// The number of `height x width` planes (`batch * channels`).
    package var planeCount: Int { batch * channels }

    /// The shape of a tensor with this layout's rank and the given sizes.
    package func shape(channels: Int? = nil, height: Int? = nil, width: Int? = nil) -> [Int] {
        let spatial = [channels ?? self.channels, height ?? self.height, width ?? self.width]
        return isBatched ? [batch] + spatial : spatial
    }

    /// The index of the channel axis in the tensor's shape.
    package var channelAxis: Int { isBatched ? 1 : 0 }
}
