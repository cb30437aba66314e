extension PerFrame {
    /// The per-frame detector's options, saved inside every model.
    public struct Options: MethodOptions {
        /// The registered image detector that scores each frame. Default `patchcore`.
        public var detector = "patchcore"
        /// That detector's options, as a JSON object of values by key (e.g.
        /// `{"coresetRatio": 0.01}`). Default none: its documented defaults.
        public var detectorOptions = OptionOverrides()
        /// The image detector is fitted on every `frameStep`-th frame of each training clip
        /// (consecutive frames are nearly equal). Default 10: 255 of Ped2's 2,550 training frames.
        public var frameStep = 10
        /// Smoothing of the frame scores over time, in frames (0: none). Default 3.
        public var sigma: Float = 3
        /// Frames per scoring pass. Default 8.
        public var batchSize = 8

        public init() {}

        public static let help = [
            OptionHelp("detector", "the registered image detector that scores each frame"),
            OptionHelp("detectorOptions", "that detector's options as a JSON object, e.g. {\"coresetRatio\": 0.01}"),
            OptionHelp("frameStep", "fit on every frameStep-th frame of each training clip"),
            OptionHelp("sigma", "Gaussian smoothing of the frame scores over time, in frames (0: none)"),
            OptionHelp("batchSize", "frames per scoring pass"),
        ]

        /// The image detector's type.
        /// - Throws: ``DetectorError/unknownDetector(_:known:)`` for a name not registered,
        ///   ``OptionError/invalidValue(method:message:)`` for a video detector.
        func frameDetectorType() throws -> any AnomalyDetector.Type {
            let type = try Detectors.named(detector)
            guard type.traits.input == .images else {
                throw OptionError.invalidValue(method: PerFrame.name, message: "detector must be an image detector; \(detector) scores clips")
            }
            return type
        }

        public func validate(method: String) throws {
            func fail(_ message: String) -> OptionError { OptionError.invalidValue(method: method, message: message) }
            guard frameStep >= 1 else { throw fail("frameStep must be at least 1, got \(frameStep)") }
            guard sigma >= 0, sigma.isFinite else { throw fail("sigma must be 0 or more, got \(sigma)") }
            guard batchSize >= 1 else { throw fail("batchSize must be at least 1, got \(batchSize)") }
            try Self.validateFrameDetectorOptions(try frameDetectorType(), overrides: detectorOptions)
        }

        private static func validateFrameDetectorOptions<D: AnomalyDetector>(_ type: D.Type, overrides: OptionOverrides) throws {
            try D.Options().overriding(overrides, method: D.name).validate(method: D.name)
        }
    }
}
