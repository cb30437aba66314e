import XADDetect
import XADModels
import XADTensor

/// A test-only detector whose score is a known linear function of the pixels: the map is the
/// channel mean of the prepared input inside a fixed rectangle and 0 outside, and the score is
/// the map's mean over that rectangle (equal to the `.region` target over it). A faithful
/// explainer of that target must put its relevance inside the rectangle.
struct RegionMeanDetector: AnomalyDetector {
    struct Options: MethodOptions {
        var rows = 0..<1
        var columns = 0..<1
        static let help = [OptionHelp("rows", "rows of the rectangle"), OptionHelp("columns", "columns of the rectangle")]
    }
    static let name = "region-mean"
    static let defaultLayers: [String] = []
    static let summary = "Test detector: the mean of a fixed rectangle of the prepared image."
    static let traits = DetectorTraits(needsBackbone: false)

    let setup: DetectorSetup
    let options: Options

    /// Rows and columns at the model's resolution `modelSize x modelSize`.
    init(rows: Range<Int>, columns: Range<Int>, modelSize: Int = 64) {
        var setup = DetectorSetup(layers: [])
        setup.preprocessing.imageSize = Size2(modelSize)
        self.setup = setup
        var options = Options()
        (options.rows, options.columns) = (rows, columns)
        self.options = options
    }

    static func fit(_ context: FitContext, options: Options) throws -> RegionMeanDetector {
        throw DetectorError.missingRequirement("the region-mean test detector is not fitted")
    }

    init(restoring tensors: [String: Tensor], setup: DetectorSetup, options: Options, backbone: (any Backbone)?) throws {
        self.setup = setup
        self.options = options
    }

    var fittedTensors: [String: Tensor] { [:] }

    func score(batch: Tensor) throws -> [AnomalyResult] {
        let (count, channels, height, width) = (batch.shape[0], batch.shape[1], batch.shape[2], batch.shape[3])
        let values = batch.scalars
        return try (0..<count).map { n in
            var map = [Float](repeating: 0, count: height * width)
            var sum: Float = 0
            for y in options.rows {
                for x in options.columns {
                    var mean: Float = 0
                    for c in 0..<channels { mean += values[((n * channels + c) * height + y) * width + x] }
                    map[y * width + x] = mean / Float(channels)
                    sum += mean / Float(channels)
                }
            }
            let score = sum / Float(options.rows.count * options.columns.count)
            return AnomalyResult(score: score, map: try Tensor(shape: [height, width], scalars: map),
                                 provenance: Provenance(layers: [], grid: Size2(height: height, width: width),
                                                        patchScores: try Tensor(shape: [height, width], scalars: map)))
        }
    }
}
