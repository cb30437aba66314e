import Foundation
import XADImage
import XADTensor

extension Attributes {
    /// Scores every frame of `clip`. Each object's attribute score is calibrated, taken as the
    /// median over its track's last ``Options/trackLength`` objects, and weighted down when the
    /// object is smaller than the typical training object (``Options/fragmentWeighting``); the
    /// frame's score is its top object's sum over attributes (0 without objects), smoothed over
    /// time. Each object's evidence names every attribute's score, value and normal range, and the
    /// nearest normal training object; the frame's map fills each object's box with its sum
    /// (the larger where boxes overlap), 0 elsewhere.
    public func score(clip: any ClipSource, progress: FitProgress?) throws -> ClipResult {
        let frames = try measurer.measure(clip, progress: progress)
        let objects = frames.flatMap { $0 }
        let scores = try models.scores(objects, perspective: perspective)
        let weights = models.fragmentWeights(objects, perspective: perspective)
        let tracks = ObjectTracks(frames: frames)
        let tracked = calibrations.indices.map { a in
            tracks.trackMedians(scores.raw[a].map { calibrations[a]($0) }, length: options.trackLength)
        }
        let chosen = options.chosen
        let size = try clip.frames.image(at: 0).shape.suffix(2)
        var results: [FrameResult] = []
        var next = 0
        for found in frames {
            let evidence = found.indices.map { i in
                let attributes = chosen.indices.map { a in
                    evidenceOf(chosen[a], score: tracked[a][next + i] * weights[next + i], value: scores.values[a][next + i],
                               calibration: calibrations[a], object: found[i])
                }
                let nearest = scores.nearest.map { bankReference(models.bankReferences[$0[next + i]]) }
                return ObjectEvidence(box: found[i].box, attributes: attributes, nearestNormal: nearest)
            }
            next += found.count
            let sums = evidence.map { $0.attributes.reduce(Float(0)) { $0 + $1.score } }
            let raw = sums.max() ?? 0
            guard raw.isFinite else {
                throw DetectorError.numericalFailure("clip \(clip.name), frame \(results.count): the attribute score is not finite")
            }
            let map = try Self.boxMap(zip(evidence.map(\.box), sums), height: size.first ?? 1, width: size.last ?? 1)
            results.append(FrameResult(score: raw, rawScore: raw, map: map, objects: evidence))
        }
        let smoothed = Self.smoothed(results.map(\.rawScore), sigma: options.smoothingSigma)
        for t in results.indices { results[t].score = smoothed[t] }
        return ClipResult(clip: clip.name, frames: results)
    }

    /// A `[height, width]` map with each box filled with its score (the largest where boxes
    /// overlap), 0 outside the boxes.
    static func boxMap(_ boxes: some Sequence<(PixelBox, Float)>, height: Int, width: Int) throws -> Tensor {
        var values = [Float](repeating: 0, count: height * width)
        for (box, score) in boxes {
            for y in Swift.max(0, box.y)..<Swift.min(height, box.y + box.height) {
                for x in Swift.max(0, box.x)..<Swift.min(width, box.x + box.width) where values[y * width + x] < score {
                    values[y * width + x] = score
                }
            }
        }
        return try Tensor(shape: [height, width], scalars: values)
    }

    private func bankReference(_ reference: TrainingObjectReference) -> NormalObjectReference {
        NormalObjectReference(clip: clipNames.indices.contains(reference.clip) ? clipNames[reference.clip] : "clip \(reference.clip)",
                              frame: reference.frame, box: reference.box)
    }

    /// One attribute of one object, for people: "speed 9.1 px/frame, normal up to 3.4".
    private func evidenceOf(_ attribute: Attribute, score: Float, value: Float, calibration: Calibration,
                            object: MeasuredObject) -> AttributeEvidence {
        let range = calibration.normalRange
        let description: String
        switch attribute {
        case .velocity:
            let heading = object.velocity.indices.max { object.velocity[$0] < object.velocity[$1] } ?? 0
            let direction = ["right", "down-right", "down", "down-left", "left", "up-left", "up", "up-right"][heading]
            description = "speed \(Self.format(value)) px/frame (\(direction)), normal up to \(Self.format(range.upperBound))"
        case .appearance:
            description = "appearance \(Self.format(value)) from the nearest normal object, normal up to \(Self.format(range.upperBound))"
        case .shape:
            description = "height \(Self.format(value)) px at the reference row (box \(object.box.width)x\(object.box.height)), normal \(Self.format(range.lowerBound))-\(Self.format(range.upperBound))"
        }
        return AttributeEvidence(name: attribute.rawValue, score: score, value: value, normalRange: range,
                                 description: description)
    }

    private static func format(_ value: Float) -> String { String(format: "%.1f", value) }

    /// `values` convolved with a Gaussian of `sigma` samples (truncated at 3 sigma, weights
    /// renormalised where the window leaves the sequence); `sigma` 0 returns them unchanged.
    static func smoothed(_ values: [Float], sigma: Float) -> [Float] {
        guard sigma > 0, values.count > 1 else { return values }
        let radius = Int((3 * sigma).rounded(.up))
        let weights = (-radius...radius).map { exp(-Float($0 * $0) / (2 * sigma * sigma)) }
        return values.indices.map { t in
            var (sum, total): (Float, Float) = (0, 0)
            for offset in -radius...radius where values.indices.contains(t + offset) {
                sum += weights[offset + radius] * values[t + offset]
                total += weights[offset + radius]
            }
            return sum / total
        }
    }
}
