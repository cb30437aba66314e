import Foundation
import XADData
import XADDetect
import XADImage
import XADTensor

/// How a scored video frame is drawn for people: the heat map over the frame, the detector's
/// object boxes (red when the object's score reaches the threshold, yellow below), the frame's
/// score in a caption, and each object's nearest normal training object cut out of its clip.
/// Shared by the video report (explained alarms, the annotated clip) and `xad explain` on frames.
///
/// ```swift
/// let annotation = VideoAnnotation(training: dataset.train, mapRange: 0...2, threshold: 1.2)
/// let shown = try annotation.frame(image, map: map, objects: result.objects)       // [3, H, W]
/// let panel = try annotation.panel(image, map: map, objects: result.objects, caption: "01 frame 60, score 1.4")
/// ```
public struct VideoAnnotation: Sendable {
    /// The training clips, where nearest normal objects are cut from (looked up by name).
    public var training: [VideoClip]
    /// The map values shown as the lowest and highest colours; nil: each map's own range.
    public var mapRange: ClosedRange<Float>?
    /// The score from which an object's box is drawn red; nil: all red.
    public var threshold: Float?
    public var colorMap: ColorMap
    /// Nearest normal objects shown per frame (the highest-scoring objects'). Default 3.
    public var nearestShown: Int

    public init(training: [VideoClip], mapRange: ClosedRange<Float>? = nil, threshold: Float? = nil,
                colorMap: ColorMap = .jet, nearestShown: Int = 3) {
        (self.training, self.mapRange, self.threshold, self.colorMap, self.nearestShown) = (training, mapRange, threshold, colorMap, nearestShown)
    }

    /// The frame (`[1, C, H, W]`) with the map (`[H, W]`, if any) blended over it and the boxes drawn.
    public func frame(_ image: Tensor, map: Tensor?, objects: [ObjectEvidence]) throws -> Tensor {
        var shown = try map.map { try overlay(heatmap: $0, on: image, alpha: 0.4, colorMap: colorMap, range: mapRange) }
            ?? (image.shape[1] == 3 ? image : try Tensor.concatenate([image, image, image], axis: 1))
        let (height, width) = (image.shape[2], image.shape[3])
        for object in objects {
            guard let box = Self.clipped(object.box, height: height, width: width) else { continue }
            let alarm = threshold.map { object.score >= $0 } ?? true
            shown = try drawBoxes([box], color: alarm ? .red : RGBColor(red: 1, green: 0.85, blue: 0), thickness: 2, on: shown)
        }
        return shown
    }

    /// The annotated frame under `caption`, then the nearest normal object of each of the
    /// highest-scoring objects (enlarged to at least 48 pixels high), captioned with its clip and frame.
    public func panel(_ image: Tensor, map: Tensor?, objects: [ObjectEvidence], caption: String) throws -> Tensor {
        var panel = Panel()
        panel.append(try frame(image, map: map, objects: objects), caption: caption)
        for object in objects.sorted(by: { $0.score > $1.score }).prefix(nearestShown) {
            guard let nearest = object.nearestNormal, let crop = try nearestCrop(nearest) else { continue }
            panel.append(crop, caption: "normal \(nearest.clip):\(nearest.frame)")
        }
        return try panel.rendered()
    }

    /// The nearest normal object cut from its training frame with a margin; nil when the clip
    /// is not among ``training`` or the box lies outside the frame.
    public func nearestCrop(_ reference: NormalObjectReference) throws -> Tensor? {
        guard let clip = training.first(where: { $0.name == reference.clip }), (0..<clip.count).contains(reference.frame) else {
            return nil
        }
        let image = try clip.tensor(at: reference.frame)
        let (height, width) = (image.shape[2], image.shape[3])
        let margin = Swift.max(4, Swift.max(reference.box.width, reference.box.height) / 4)
        let grown = PixelBox(x: reference.box.x - margin, y: reference.box.y - margin,
                             width: reference.box.width + 2 * margin, height: reference.box.height + 2 * margin)
        guard let box = Self.clipped(grown, height: height, width: width) else { return nil }
        var crop = try image.sliced(axis: 2, range: box.y..<(box.y + box.height)).sliced(axis: 3, range: box.x..<(box.x + box.width))
        if box.height < 48 {
            let scale = Double(48) / Double(box.height)
            crop = try crop.resized(to: Size2(height: 48, width: Swift.max(1, Int((Double(box.width) * scale).rounded()))), mode: .nearest)
        }
        return crop
    }

    /// `box` cut to the frame; nil when nothing of it is inside.
    static func clipped(_ box: PixelBox, height: Int, width: Int) -> PixelBox? {
        let (x0, y0) = (Swift.max(0, box.x), Swift.max(0, box.y))
        let (x1, y1) = (Swift.min(width, box.x + box.width), Swift.min(height, box.y + box.height))
        return x1 > x0 && y1 > y0 ? PixelBox(x1: x0, y1: y0, x2: x1, y2: y1) : nil
    }
}

extension ObjectEvidence {
    /// One line per attribute, the driving one first: "motion 0.83: 72 px changed, normal up to 40 (value 72, normal 0–40)".
    public var attributeLines: [String] {
        attributes.sorted { $0.score > $1.score }.map { attribute in
            let number = { (value: Float) in String(format: "%.3g", value) }
            return "\(attribute.name) \(String(format: "%.2f", attribute.score)): \(attribute.description) "
                + "(value \(number(attribute.value)), normal \(number(attribute.normalRange.lowerBound))–\(number(attribute.normalRange.upperBound)))"
        }
    }
}
