import Foundation
import XADImage
import XADTensor

extension Attributes {
    /// Scores every frame of `clip`: its objects' calibrated attribute scores, the frame's
    /// `Σ_attributes max_objects` score, smoothed over time; each object's evidence names every
    /// attribute's score, value and normal range, and the nearest normal training object.
    public func score(clip: any ClipSource, progress: FitProgress?) throws -> ClipResult {
        let frames = try measurer.measure(clip, progress: progress)
        let objects = frames.flatMap { $0 }
        let scores = try models.scores(objects, perspective: perspective)
        let chosen = options.chosen
        var results: [FrameResult] = []
        var next = 0
        for found in frames {
            let evidence = found.indices.map { i in
                let attributes = chosen.indices.map { a in
                    evidenceOf(chosen[a], raw: scores.raw[a][next + i], value: scores.values[a][next + i], calibration: calibrations[a],
                               object: found[i])
                }
                let nearest = scores.nearest.map { bankReference(models.bankReferences[$0[next + i]]) }
                return ObjectEvidence(box: found[i].box, attributes: attributes, nearestNormal: nearest)
            }
            next += found.count
            let raw = chosen.indices.reduce(Float(0)) { sum, a in
                sum + (evidence.map { $0.attributes[a].score }.max() ?? 0)
            }
            guard raw.isFinite else {
                throw DetectorError.numericalFailure("clip \(clip.name), frame \(results.count): the attribute score is not finite")
            }
            results.append(FrameResult(score: raw, rawScore: raw, objects: evidence))
        }
        let smoothed = Self.smoothed(results.map(\.rawScore), sigma: options.smoothingSigma)
        for t in results.indices { results[t].score = smoothed[t] }
        return ClipResult(clip: clip.name, frames: results)
    }

    private func bankReference(_ reference: TrainingObjectReference) -> NormalObjectReference {
        NormalObjectReference(clip: clipNames.indices.contains(reference.clip) ? clipNames[reference.clip] : "clip \(reference.clip)",
                              frame: reference.frame, box: reference.box)
    }

    /// One attribute of one object, for people: "speed 9.1 px/frame, normal up to 3.4".
    private func evidenceOf(_ attribute: Attribute, raw: Float, value: Float, calibration: Calibration,
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
        return AttributeEvidence(name: attribute.rawValue, score: calibration(raw), value: value, normalRange: range,
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
