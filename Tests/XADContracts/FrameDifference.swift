import XADDetect
import XADImage
import XADModels
import XADTensor

/// A throwaway video detector for the tests of video commands, evaluation and reports: the map is
/// the absolute gray-level difference from the previous frame; pixels changing more than the
/// training frames' noise level form moving regions, each an ``ObjectEvidence`` with one
/// attribute, `motion` (changed pixels, against the largest region seen in training, whose place
/// is the nearest normal object). The frame's raw score is its largest region's motion score;
/// the final score averages three neighbouring raw scores. Registered by the tests only.
public struct FrameDifference: VideoAnomalyDetector {
    public struct Options: MethodOptions {
        /// A pixel moves when it changes by more than this. Default 0.2.
        public var level: Float = 0.2
        public init() {}
        public static let help = [OptionHelp("level", "gray-level change above which a pixel moves")]
        public func validate(method: String) throws {
            guard level > 0 && level < 1 else { throw OptionError.invalidValue(method: method, message: "level must be in (0, 1), got \(level)") }
        }
    }

    public static let name = "frame-difference"
    public static let summary = "moving regions by frame differencing (a test's throwaway video detector)"
    public static let defaultLayers: [String] = []
    public static let traits = DetectorTraits(input: .clips, needsBackbone: false)

    public let setup: DetectorSetup
    public let options: Options
    /// The largest moving region of the training clips, in pixels, and where it was.
    let largestArea: Float
    let largest: NormalObjectReference

    public static func fit(_ context: FitContext, options: Options) throws -> FrameDifference {
        var largestArea: Float = 0
        var largest = NormalObjectReference(clip: "", frame: 0, box: PixelBox(x: 0, y: 0, width: 1, height: 1))
        for clip in try context.requireClips(for: name) {
            for (frame, regions) in try movingRegions(clip, level: options.level).enumerated() {
                for region in regions where Float(region.area) > largestArea {
                    largestArea = Float(region.area)
                    largest = NormalObjectReference(clip: clip.name, frame: frame, box: region.box)
                }
            }
        }
        guard largestArea > 0 else { throw DetectorError.invalidInput("nothing moves in the training clips") }
        return FrameDifference(setup: context.setup, options: options, largestArea: largestArea, largest: largest)
    }

    init(setup: DetectorSetup, options: Options, largestArea: Float, largest: NormalObjectReference) {
        (self.setup, self.options, self.largestArea, self.largest) = (setup, options, largestArea, largest)
    }

    /// The tensors: `largest` = [area, frame, x, y, width, height], `clip` = the clip name's characters.
    public var fittedTensors: [String: Tensor] {
        let box = largest.box
        let values = [largestArea, Float(largest.frame), Float(box.x), Float(box.y), Float(box.width), Float(box.height)]
        let name = largest.clip.unicodeScalars.map { Float($0.value) } + [0]
        return ["largest": try! Tensor(shape: [6], scalars: values), "clip": try! Tensor(shape: [name.count], scalars: name)]
    }

    public init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: (any Backbone)?) throws {
        guard let values = tensors["largest"]?.scalars, values.count == 6, let name = tensors["clip"]?.scalars else {
            throw DetectorError.modelFile(path: "frame-difference", problem: "the saved model lacks the tensors 'largest' and 'clip'")
        }
        let clip = String(String.UnicodeScalarView(name.dropLast().compactMap { Unicode.Scalar(UInt32($0)) }))
        self.init(setup: setup, options: options, largestArea: values[0],
                  largest: NormalObjectReference(clip: clip, frame: Int(values[1]),
                                                 box: PixelBox(x: Int(values[2]), y: Int(values[3]), width: Int(values[4]), height: Int(values[5]))))
    }

    public func score(batch: Tensor) throws -> [AnomalyResult] { throw DetectorError.scoresClipsOnly(Self.name) }

    public func score(clip: any ClipSource, progress: FitProgress?) throws -> ClipResult {
        let frames = clip.frames
        var raw: [Float] = [], maps: [Tensor] = [], objects: [[ObjectEvidence]] = []
        var previous: [Float]?
        for index in 0..<frames.count {
            let (gray, height, width) = try Self.gray(frames.image(at: index))
            let difference = zip(gray, previous ?? gray).map { abs($0 - $1) }
            previous = gray
            let mask = try BinaryMask(width: width, height: height, pixels: difference.map { $0 > options.level })
            let found = mask.regions(minimumArea: 2).map { region in
                let score = Float(region.area) / largestArea
                return ObjectEvidence(box: region.box, attributes: [
                    AttributeEvidence(name: "motion", score: score, value: Float(region.area), normalRange: 0...largestArea,
                                      description: "\(region.area) px changed, normal up to \(Int(largestArea))")],
                                      nearestNormal: largest)
            }
            raw.append(found.map(\.score).max() ?? 0)
            maps.append(try Tensor(shape: [height, width], scalars: difference))
            objects.append(found)
            progress?("scoring \(clip.name)", index + 1, frames.count)
        }
        return ClipResult(clip: clip.name, frames: raw.indices.map { index in
            let window = raw[Swift.max(0, index - 1)...Swift.min(raw.count - 1, index + 1)]
            return FrameResult(score: window.reduce(0, +) / Float(window.count), rawScore: raw[index], map: maps[index], objects: objects[index])
        })
    }

    /// Every frame's moving regions; frame 0 has none.
    static func movingRegions(_ clip: any ClipSource, level: Float) throws -> [[Region]] {
        var previous: [Float]?
        return try (0..<clip.frames.count).map { index in
            let (gray, height, width) = try gray(clip.frames.image(at: index))
            defer { previous = gray }
            guard let previous else { return [] }
            return try BinaryMask(width: width, height: height, pixels: zip(gray, previous).map { abs($0 - $1) > level }).regions(minimumArea: 2)
        }
    }

    /// The mean over channels of a `[1, C, H, W]` frame.
    static func gray(_ frame: Tensor) throws -> (pixels: [Float], height: Int, width: Int) {
        let (channels, height, width) = (frame.shape[1], frame.shape[2], frame.shape[3])
        let values = frame.scalars, plane = height * width
        return ((0..<plane).map { pixel in (0..<channels).reduce(0) { $0 + values[$1 * plane + pixel] } / Float(channels) }, height, width)
    }
}
