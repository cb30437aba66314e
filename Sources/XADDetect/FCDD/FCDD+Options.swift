import XADTensor

extension FCDD {
    /// FCDD's options, saved inside every model.
    public struct Options: MethodOptions {
        /// Channels of the head's hidden 1x1 convolution. Default 128.
        public var hidden = 128
        /// The synthetic anomalies of outlier exposure: `confetti` (FCDD's) or `cutpaste`. Default `confetti`.
        public var outlierExposure: OutlierExposure = .confetti
        /// Synthetic anomalies made from each training image (made once, seeded). Default 2.
        public var anomaliesPerImage = 2
        /// A list file of labelled anomalous images with masks (see the README); set, FCDD trains
        /// in its semi-supervised pixel-level mode. Default empty: unsupervised.
        public var labelled = ""
        /// The Gaussian's standard deviation of the heat-map upsampling, in pixels. Default none:
        /// FCDD's rule from the receptive field (10 pixels for fields of 32 or more).
        public var sigma: Float?
        /// The receptive field of the tap, in pixels. Default none: computed from the
        /// EfficientNet-Lite architecture (67 for `stage2`).
        public var receptiveField: Int?
        /// Passes over the training rows. Default 20.
        public var epochs = 20
        /// Rows (images) per step. Default 32.
        public var batchSize = 32
        /// Adam's learning rate. Default 0.001.
        public var learningRate: Float = 1e-3
        /// L2 weight decay. Default 0.000001 (FCDD's).
        public var weightDecay: Float = 1e-6
        /// `constant`, `cosine` or `step`. Default `cosine`.
        public var schedule: TrainingPlan.Schedule = .cosine
        /// Largest global gradient norm. Default none.
        public var clipNorm: Float?
        /// Epochs without a lower validation loss before stopping (needs validation images). Default none.
        public var patience: Int?
        /// Images per backbone batch while extracting features. Default 16.
        public var featureBatchSize = 16

        public init() {}

        public static let help = [
            OptionHelp("hidden", "channels of the head's hidden 1x1 convolution"),
            OptionHelp("outlierExposure", "synthetic anomalies: confetti (FCDD's) or cutpaste"),
            OptionHelp("anomaliesPerImage", "synthetic anomalies made from each training image"),
            OptionHelp("labelled", "list file of labelled anomalous images with masks: FCDD's semi-supervised mode"),
            OptionHelp("sigma", "standard deviation of the Gaussian heat-map upsampling (none: FCDD's rule from the receptive field)"),
            OptionHelp("receptiveField", "receptive field of the tap in pixels (none: from the EfficientNet-Lite architecture)"),
        ] + TrainingPlan.optionHelp.filter { $0.key != "optimiser" } + [
            OptionHelp("featureBatchSize", "images per backbone batch while extracting features"),
        ]

        /// The training part of the options: Adam.
        var plan: TrainingPlan {
            TrainingPlan(epochs: epochs, batchSize: batchSize, learningRate: learningRate, optimiser: .adam,
                         weightDecay: weightDecay, schedule: schedule, clipNorm: clipNorm, patience: patience)
        }

        public func validate(method: String) throws {
            func fail(_ message: String) -> OptionError { OptionError.invalidValue(method: method, message: message) }
            guard hidden >= 1 else { throw fail("hidden must be at least 1, got \(hidden)") }
            guard anomaliesPerImage >= 1 else { throw fail("anomaliesPerImage must be at least 1, got \(anomaliesPerImage)") }
            if let sigma, !(sigma > 0 && sigma.isFinite) { throw fail("sigma must be positive, got \(sigma)") }
            if let receptiveField, receptiveField < 1 { throw fail("receptiveField must be at least 1, got \(receptiveField)") }
            guard featureBatchSize >= 1 else { throw fail("featureBatchSize must be at least 1, got \(featureBatchSize)") }
            try plan.validate(method: method)
        }
    }
}
