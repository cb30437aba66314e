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

    /// `xad weights inspect FILE [--json]`: every tensor's name, stored dtype and shape, and the
    /// parameter count. Reading never runs the pickle inside a PyTorch checkpoint.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a weight file's tensors (name, dtype, shape) and count its parameters.",
            discussion: """
                Reads .safetensors files and PyTorch checkpoints in the zip and the legacy format \
                without executing them. Batch-norm statistics (running_mean, running_var, \
                num_batches_tracked) are counted apart from the parameters.
                """
        )

        @Argument(help: "A .safetensors file or a PyTorch checkpoint (.pt, .pth).")
        var file: String

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() throws {
            let url = URL(fileURLWithPath: file)
            let format = try WeightFileFormat(contentsOf: url)
            let weights = try NamedWeights(contentsOf: url)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(Summary(file: file, format: format, weights: weights)), as: UTF8.self))
            } else {
                printTable(weights, format: format)
            }
        }

        private func printTable(_ weights: NamedWeights, format: WeightFileFormat) {
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
            print("\(file) (\(format.rawValue))")
            print(line(header))
            rows.forEach { print(line($0)) }
            let buffers = weights.elementCount - weights.parameterCount
            print("\(weights.count) tensors, \(grouped(weights.parameterCount)) parameters"
                  + (buffers > 0 ? " (+ \(grouped(buffers)) batch-norm statistics)" : ""))
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
