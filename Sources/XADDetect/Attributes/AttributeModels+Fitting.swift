import Foundation
import XADMetrics
import XADTensor

extension AttributeModels {
    /// Training objects the mixtures are fitted on at most (evenly subsampled): EM's cost grows
    /// with them, its estimate hardly beyond a few thousand.
    static let mixtureSamples = 6000
    /// Training objects whose leave-one-video-out scores calibrate each attribute, at most.
    static let calibrationSamples = 4000

    /// The models of the chosen attributes fitted on every training object, and each attribute's
    /// calibration from leave-one-video-out scores: each calibration object is scored by a model
    /// fitted without its video (in-sample when the objects come from a single video).
    static func fit(_ training: TrainingObjects, perspective: Perspective, options: Attributes.Options,
                    progress: FitProgress?) throws -> (models: AttributeModels, calibrations: [Calibration]) {
        let all = Array(0..<training.count)
        let video = training.video
        let held = evenly(all, upTo: calibrationSamples)
        let heldOutVideos: [Int?] = Set(video).count >= 2 ? Array(Set(held.map { video[$0] })).sorted() : [nil]
        var rawCalibration = [[Float]](repeating: [Float](repeating: 0, count: held.count), count: options.chosen.count)
        for (step, left) in heldOutVideos.enumerated() {
            let kept = left.map { left in all.filter { video[$0] != left } } ?? all
            let scored = held.indices.filter { left == nil || video[held[$0]] == left }
            let model = try fitted(training, rows: kept, perspective: perspective, options: options)
            let scores = try model.scores(scored.map { training.objects[held[$0]] }, perspective: perspective)
            for a in rawCalibration.indices { for (i, position) in scored.enumerated() { rawCalibration[a][position] = scores.raw[a][i] } }
            progress?("calibrating (leave one video out)", step + 1, heldOutVideos.count)
        }
        let models = try fitted(training, rows: all, perspective: perspective, options: options)
        let heldObjects = held.map { training.objects[$0] }
        let calibrations = try options.chosen.enumerated().map { a, attribute in
            let raw = rawCalibration[a].map(Double.init)
            let high = try percentile(raw, options.calibrationPercentile)
            let values = values(attribute, heldObjects, perspective, distances: rawCalibration[a]).map(Double.init)
            let upper = Float(try percentile(values, options.calibrationPercentile))
            let lower = attribute == .shape ? Float(try percentile(values, 100 - options.calibrationPercentile)) : 0
            return Calibration(low: Float(raw.min() ?? 0), high: Float(high), normalRange: Swift.min(lower, upper)...upper)
        }
        return (models, calibrations)
    }

    /// The models fitted on the training objects at `rows`.
    private static func fitted(_ training: TrainingObjects, rows: [Int], perspective: Perspective,
                               options: Attributes.Options) throws -> AttributeModels {
        let chosen = options.chosen
        let sampled = evenly(rows, upTo: mixtureSamples).map { training.objects[$0] }
        func mixture(_ features: [Double], dimension: Int) throws -> GaussianMixture {
            let components = Swift.min(options.components, Swift.max(1, features.count / dimension / (2 * dimension)))
            return try GaussianMixture.fit(features, dimension: dimension, components: components, seed: options.seed,
                                           maxIterations: 100, tolerance: 1e-3, regularisation: options.mixtureRegularisation)
        }
        let velocity = chosen.contains(.velocity) && options.velocityModel == "mixture" ? try mixture(velocityFeatures(sampled, perspective), dimension: velocityDimension) : nil
        let shape = chosen.contains(.shape) ? try mixture(shapeFeatures(sampled, perspective), dimension: shapeDimension) : nil
        var bank: NearestNeighbours?
        var references: [TrainingObjectReference] = []
        if chosen.contains(.appearance) {
            let bankRows = evenly(rows, upTo: options.bankSize)
            let dimension = training.objects[bankRows[0]].appearance.count
            bank = try NearestNeighbours(bank: Tensor(shape: [bankRows.count, dimension], scalars: bankRows.flatMap { training.objects[$0].appearance }))
            references = bankRows.map { training.references[$0] }
        }
        let sortedAreas = areas(rows.map { training.objects[$0] }, perspective).sorted()
        return AttributeModels(velocity: velocity, shape: shape, appearance: bank, bankReferences: references,
                               typicalArea: sortedAreas.isEmpty ? 1 : sortedAreas[sortedAreas.count / 2], options: options)
    }

    /// At most `limit` of `rows`, evenly spread (all of them when there are fewer).
    static func evenly(_ rows: [Int], upTo limit: Int) -> [Int] {
        guard rows.count > limit else { return rows }
        return (0..<limit).map { rows[$0 * rows.count / limit] }
    }
}
