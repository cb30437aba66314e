import ArgumentParser
import Foundation
import XADModels

/// `xad weights`: look inside weight files.
struct WeightsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weights",
        abstract: "Look inside weight files (safetensors, PyTorch checkpoints).",
        subcommands: [Inspect.self]
    )

    /// `xad weights inspect FILE [--json FILE|-]`: every tensor's name, stored dtype and shape, and the
    /// parameter count. Reading never runs the pickle inside a PyTorch checkpoint.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a weight file's tensors (name, dtype, shape) and count its parameters.",
            discussion: """
                Reads .safetensors files and PyTorch checkpoints in the zip and the legacy format \
                without executing them. Batch-norm statistics (running_mean, running_var, \
                num_batches_tracked) are counted apart from the parameters. stdout gets a table \
                (or, with --json -, the same as JSON).

                Example:
                  xad weights inspect efficientnet_lite0.pth --json -
                """
        )

        @Argument(help: "A .safetensors file or a PyTorch checkpoint (.pt, .pth).")
        var file: String

        @OptionGroup var output: JSONOutputOptions

        func run() throws {
            try output.checkDestination()
            let url = URL(fileURLWithPath: file)
            let format = try WeightFileFormat(contentsOf: url)
            let weights = try NamedWeights(contentsOf: url)
            try output.publish(Summary(file: file, format: format, weights: weights), text: table(weights, format: format))
        }

        private func table(_ weights: NamedWeights, format: WeightFileFormat) -> String {
            let rows = weights.map { entry in
                [entry.name, entry.storedType.rawValue, "[" + entry.shape.map(String.init).joined(separator: ", ") + "]",
                 grouped(entry.tensor.count)]
            }
            let header = ["name", "dtype", "shape", "elements"]
            let widths = header.indices.map { column in
                ([header] + rows).map { $0[column].count }.max() ?? 0
            }
            func line(_ cells: [String]) -> String {
                zip(cells, widths).enumerated().map { column, pair in
                    // Names and dtypes read left to right; numbers line up on the right.
                    column == 3 ? String(repeating: " ", count: pair.1 - pair.0.count) + pair.0
                        : pair.0.padding(toLength: pair.1, withPad: " ", startingAt: 0)
                }.joined(separator: "  ")
            }
            let buffers = weights.elementCount - weights.parameterCount
            return (["\(file) (\(format.rawValue))", line(header)] + rows.map(line)
                    + ["\(weights.count) tensors, \(grouped(weights.parameterCount)) parameters"
                       + (buffers > 0 ? " (+ \(grouped(buffers)) batch-norm statistics)" : "")]).joined(separator: "\n")
        }

        /// 4652008 -> "4,652,008".
        private func grouped(_ number: Int) -> String {
            let digits = Array(String(number))
            return digits.enumerated().map { index, digit in
                index > 0 && (digits.count - index) % 3 == 0 ? ",\(digit)" : "\(digit)"
            }.joined()
        }
    }
}

/// The JSON form of `xad weights inspect --json`.
private struct Summary: Encodable {
    struct Tensor: Encodable {
        let name: String
        let dtype: String
        let shape: [Int]
        let elements: Int
    }

    let file: String
    let format: String
    let tensors: [Tensor]
    let tensorCount: Int
    let parameterCount: Int
    let bufferElementCount: Int

    init(file: String, format: WeightFileFormat, weights: NamedWeights) {
        self.file = file
        self.format = format.rawValue
        tensors = weights.map { Tensor(name: $0.name, dtype: $0.storedType.rawValue, shape: $0.shape, elements: $0.tensor.count) }
        tensorCount = weights.count
        parameterCount = weights.parameterCount
        bufferElementCount = weights.elementCount - weights.parameterCount
    }
}
