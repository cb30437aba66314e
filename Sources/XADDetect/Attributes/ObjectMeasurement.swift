import Foundation
import XADImage
import XADTensor

/// One foreground object of one frame and what was measured on it, before anything is learnt.
struct MeasuredObject: Sendable {
    /// The frame's index in its clip.
    var frame: Int
    /// Where the object is, in the clip's pixels.
    var box: PixelBox
    /// Its foreground pixels (its connected region's area), in the clip's pixels.
    var area: Float
    /// The 8-bin direction histogram of the object's optical flow: bin `b` holds the share of the
    /// flow length of the object's pixels moving in directions `[b, b + 1) · 45°` (0°: right,
    /// 90°: down), times the object's speed, so the bins add up to the speed: the 90th percentile
    /// of its pixels' flow lengths in clip pixels per frame (a mean would be diluted by the still
    /// background inside the object's foreground and by its slower parts).
    var velocity: [Float]
    /// The backbone's features averaged over the object's box (empty when not measured).
    var appearance: [Float]

    /// The speed in clip pixels per frame (see ``velocity``).
    var speed: Float { velocity.reduce(0, +) }
}

/// Finds the moving objects of a clip and measures them: foreground by a running-median
/// background and frame differencing, cleaned by morphology, split into connected regions; per
/// region the flow histogram of ``MeasuredObject/velocity`` and, with a feature extractor, the
/// backbone's features pooled in the box.
///
/// Motion is computed at ``Attributes/Options/motionScale`` of the clip's size (flow at half
/// size is four times cheaper and Ped2's objects stay several pixels wide); boxes and speeds are
/// given back in the clip's pixels.
struct ObjectMeasurer: Sendable {
    var options: Attributes.Options
    /// Appearance features; nil measures motion only.
    var extractor: FeatureExtractor?
    var preprocessing: Preprocessing

    /// The frames of `clip` at `stride` (0, stride, 2 stride, ...), each with its objects.
    func measure(_ clip: any ClipSource, stride: Int = 1, progress: FitProgress? = nil) throws -> [[MeasuredObject]] {
        let source = clip.frames
        guard source.count > 0 else { throw DetectorError.invalidInput("clip \(clip.name) has no frames") }
        var planes: [GrayPlane] = []
        var size = Size2(0)
        for index in 0..<source.count {
            let frame = try source.image(at: index)
            let frameSize = Size2(height: frame.shape[frame.rank - 2], width: frame.shape[frame.rank - 1])
            if index == 0 { size = frameSize }
            guard frameSize == size else {
                throw DetectorError.invalidInput("clip \(clip.name), frame \(index): \(frameSize), but the clip's first frame is \(size)")
            }
            planes.append(try motionPlane(frame, clip: clip.name, index: index))
        }
        let scale = Float(planes[0].width) / Float(size.width)
        var background = try MedianBackground(median: Swift.stride(from: 0, to: planes.count, by: Swift.max(1, planes.count / 25)).map { planes[$0] })
        let flow = options.flowEstimator
        let chosen = Array(Swift.stride(from: 0, to: planes.count, by: Swift.max(1, stride)))
        var result: [[MeasuredObject]] = []
        var nextBackgroundUpdate = 0
        for (done, t) in chosen.enumerated() {
            while nextBackgroundUpdate < t { try background.update(with: planes[nextBackgroundUpdate]); nextBackgroundUpdate += 1 }
            let mask = try foreground(planes, t, background: background)
            let regions = mask.regions(minimumArea: Swift.max(1, Int(Float(options.minimumArea) * scale * scale)))
            var objects: [MeasuredObject] = []
            if !regions.isEmpty {
                let pair = planes.count == 1 ? (t, t) : (t + 1 < planes.count ? (t, t + 1) : (t - 1, t))
                let field = try flow(planes[pair.0], planes[pair.1])
                objects = regions.map { region in
                    MeasuredObject(frame: t, box: scaled(region.box, by: 1 / scale, within: size),
                                   area: Float(region.area) / (scale * scale), velocity: histogram(of: field, in: region.box, mask: mask, scale: scale), appearance: [])
                }
                if let extractor {
                    try addAppearance(to: &objects, frame: try source.image(at: t), extractor: extractor)
                }
            }
            result.append(objects)
            progress?("measuring \(clip.name)", done + 1, chosen.count)
        }
        return result
    }

    /// The frame's luma at the motion scale.
    private func motionPlane(_ frame: Tensor, clip: String, index: Int) throws -> GrayPlane {
        guard frame.scalars.allSatisfy(\.isFinite) else {
            throw DetectorError.invalidInput("clip \(clip), frame \(index): a pixel is not finite")
        }
        let (height, width) = (frame.shape[frame.rank - 2], frame.shape[frame.rank - 1])
        let target = Size2(height: Swift.max(8, Int((Float(height) * options.motionScale).rounded())),
                           width: Swift.max(8, Int((Float(width) * options.motionScale).rounded())))
        let gray = try GrayPlane(tensor: frame)
        return target == Size2(height: height, width: width) ? gray : try GrayPlane(tensor: gray.tensor().resampled(to: target, filter: .bilinear, antialias: true))
    }

    /// Foreground of frame `t`: differs from the background, or from the previous frame; then
    /// opened (dropping specks). Not closed: on Ped2 a 5 x 5 closing merges neighbouring walkers
    /// into one blob whose speed is diluted (speed baseline 0.765 micro AUROC with it, 0.880 without).
    private func foreground(_ planes: [GrayPlane], _ t: Int, background: MedianBackground) throws -> BinaryMask {
        var mask = try background.foreground(planes[t], threshold: options.backgroundThreshold)
        if t > 0 {
            let moving = try FrameDifference.mask(planes[t - 1], planes[t], threshold: options.differenceThreshold)
            mask.pixels = zip(mask.pixels, moving.pixels).map { $0 || $1 }
        }
        return mask.opened(size: 3)
    }

    /// The object's direction histogram of flow lengths (see ``MeasuredObject/velocity``).
    private func histogram(of field: FlowField, in box: PixelBox, mask: BinaryMask, scale: Float) -> [Float] {
        var bins = [Float](repeating: 0, count: 8)
        var lengths: [Float] = []
        for y in box.y..<(box.y + box.height) {
            for x in box.x..<(box.x + box.width) where mask[x, y] {
                let i = y * field.width + x
                let (u, v) = (field.u[i], field.v[i])
                let angle = atan2(v, u) < 0 ? atan2(v, u) + 2 * .pi : atan2(v, u)
                let length = (u * u + v * v).squareRoot() / scale
                bins[Swift.min(7, Int(angle / (2 * .pi) * 8))] += length
                lengths.append(length)
            }
        }
        let total = bins.reduce(0, +)
        guard total > 0 else { return bins }
        lengths.sort()
        let speed = lengths[Swift.min(lengths.count - 1, Int(Float(lengths.count - 1) * 0.9))]
        return bins.map { $0 / total * speed }
    }

    /// A box of the motion planes in the clip's pixels.
    private func scaled(_ box: PixelBox, by factor: Float, within size: Size2) -> PixelBox {
        let x = Int((Float(box.x) * factor).rounded(.down)), y = Int((Float(box.y) * factor).rounded(.down))
        let right = Swift.min(size.width, Int((Float(box.x + box.width) * factor).rounded(.up)))
        let bottom = Swift.min(size.height, Int((Float(box.y + box.height) * factor).rounded(.up)))
        return PixelBox(x: x, y: y, width: Swift.max(1, right - x), height: Swift.max(1, bottom - y))
    }
}
