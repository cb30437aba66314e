import XADTensor

extension FramePrediction {
    /// Frame prediction's options, saved inside every model. The defaults are the settings of the
    /// UCSD Ped2 results in the README, chosen to train within 20 minutes on 2 CPU cores.
    public struct Options: MethodOptions {
        /// Frames the U-Net reads before the one it predicts. Default 4 (Liu et al.).
        public var pastFrames = 4
        /// The height frames are resized to (a multiple of 4). Default 120: UCSD Ped2's 240 halved.
        public var height = 120
        /// The width frames are resized to (a multiple of 4). Default 180: UCSD Ped2's 360 halved.
        public var width = 180
        /// Channels of the U-Net's finest level (doubling at each of the two levels below). Default 8.
        public var channels = 8
        /// The weight of the gradient loss beside the intensity loss. Default 1 (Liu et al.).
        public var gradientWeight: Float = 1
        /// Training uses the window ending at every `windowStep`-th frame of each clip. Default 2.
        public var windowStep = 2
        /// Passes over the training windows (the run's time budget may stop it earlier). Default 10.
        public var epochs = 10
        /// Windows per optimiser step, and per scoring pass. Default 8.
        public var batchSize = 8
        /// Adam's learning rate. Default 0.001.
        public var learningRate: Float = 1e-3
        /// Smoothing of the frame scores over time, in frames (0: none). Default 3.
        public var sigma: Float = 3

        public init() {}

        public static let help = [
            OptionHelp("pastFrames", "frames the U-Net reads before the one it predicts"),
            OptionHelp("height", "height frames are resized to (a multiple of 4)"),
            OptionHelp("width", "width frames are resized to (a multiple of 4)"),
            OptionHelp("channels", "channels of the U-Net's finest level (doubling at each of the two below)"),
            OptionHelp("gradientWeight", "weight of the gradient loss beside the intensity (L2) loss"),
            OptionHelp("windowStep", "train on the window ending at every windowStep-th frame of each clip"),
            OptionHelp("epochs", "passes over the training windows (the time budget may stop training earlier)"),
            OptionHelp("batchSize", "windows per optimiser step and per scoring pass"),
            OptionHelp("learningRate", "Adam's learning rate"),
            OptionHelp("sigma", "Gaussian smoothing of the frame scores over time, in frames (0: none)"),
        ]

        /// The frame size the network works at.
        public var frameSize: Size2 { Size2(height: height, width: width) }

        /// The training part of the options: Adam at a constant rate (a time budget may end
        /// training at any epoch, so no schedule is tied to the planned count).
        public var plan: TrainingPlan {
            TrainingPlan(epochs: epochs, batchSize: batchSize, learningRate: learningRate)
        }

        public func validate(method: String) throws {
            func fail(_ message: String) -> OptionError { OptionError.invalidValue(method: method, message: message) }
            guard pastFrames >= 1 else { throw fail("pastFrames must be at least 1, got \(pastFrames)") }
            guard height >= 4, width >= 4, height % 4 == 0, width % 4 == 0 else {
                throw fail("height and width must be positive multiples of 4, got \(height) x \(width)")
            }
            guard channels >= 1 else { throw fail("channels must be at least 1, got \(channels)") }
            guard gradientWeight >= 0, gradientWeight.isFinite else { throw fail("gradientWeight must be 0 or more, got \(gradientWeight)") }
            guard windowStep >= 1 else { throw fail("windowStep must be at least 1, got \(windowStep)") }
            guard sigma >= 0, sigma.isFinite else { throw fail("sigma must be 0 or more, got \(sigma)") }
            try plan.validate(method: method)
        }
    }
}
