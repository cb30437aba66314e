import ArgumentParser
import Foundation
import XADBench
import XADDetect
import XADExplain

extension BenchmarkPreset: ExpressibleByArgument {}

/// How `xad explain` and `xad explain-eval` configure explainers: `--options` / `--set` for any
/// method's options (`--set occlusion.window=16`, or `--set window=16` for every chosen method
/// that has a `window`), and the shorthand flags of earlier versions for the costlier methods.
struct ExplainerSettings: ParsableArguments {
    @OptionGroup var methodOptions: MethodOptionArguments

    @Option(help: "Integrated gradients: points on the path (same as --set integrated-gradients.steps=N).")
    var steps: Int?

    @Option(help: "SmoothGrad: noisy samples per image (same as --set smoothgrad.samples=N).")
    var smoothgradSamples: Int?

    @Option(help: "Occlusion: window side in model pixels (same as --set occlusion.window=N).")
    var occlusionWindow: Int?

    @Option(help: "Occlusion: step between windows in model pixels (same as --set occlusion.stride=N).")
    var occlusionStride: Int?

    @Option(help: "RISE: random masks per image (same as --set rise.maskCount=N).")
    var riseMasks: Int?

    @Option(help: "KernelSHAP: coalitions sampled per image (same as --set kernelshap.samples=N).")
    var shapSamples: Int?

    @Option(help: "Costly methods' settings: quick (IG 16 steps, RISE 250 masks, ...) or thorough (the papers': IG 50 steps, RISE 4000 masks, ...); options given above override it.")
    var preset: BenchmarkPreset?

    /// The shorthand flags as the `method.key` settings they stand for.
    private var shorthands: OptionOverrides {
        let given: [(String, Int?)] = [
            ("integrated-gradients.steps", steps), ("smoothgrad.samples", smoothgradSamples),
            ("occlusion.window", occlusionWindow), ("occlusion.stride", occlusionStride),
            ("rise.maskCount", riseMasks), ("kernelshap.samples", shapSamples),
        ]
        return OptionOverrides(Dictionary(uniqueKeysWithValues: given.compactMap { key, value in
            value.map { (key, JSONValue.number(Double($0))) }
        }))
    }

    /// The explainers named in `list` ("all", or names separated by commas), configured: the
    /// preset's settings (``preset``, or `defaultPreset` when none is given; none: the methods'
    /// own defaults) with the given options over them.
    /// - Throws: a usage error for an unknown method, a `method.key` naming no registered method,
    ///   a key that no chosen method has, or a bad value.
    func explainers(_ list: String, defaultPreset: BenchmarkPreset? = nil) throws -> [any Explainer] {
        let names = list == "all" ? Explainers.names
            : list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let given = shorthands.merging(try methodOptions.overrides())
        let scopes = Set(given.values.keys.filter { $0.contains(".") }.map { String($0.prefix { $0 != "." }) })
        if let unknown = scopes.sorted().first(where: { !Explainers.names.contains($0) }) {
            throw ExplainerError.unknownMethod(unknown, known: Explainers.names)
        }
        var unused = Set(given.unscoped.values.keys)
        let explainers = try names.map { name -> any Explainer in
            guard let type = Explainers.types.first(where: { $0.name == name }) else {
                throw ExplainerError.unknownMethod(name, known: Explainers.names)
            }
            let keys = Set(type.methodDescription.options.map(\.key))
            let shared = given.unscoped.values.filter { keys.contains($0.key) }
            unused.subtract(shared.keys)
            let presetOptions = (preset ?? defaultPreset)?.explainerOptions(name) ?? OptionOverrides()
            return try Explainers.named(name, options: presetOptions.merging(OptionOverrides(shared)).merging(given.scoped(to: name)))
        }
        if let key = unused.sorted().first {
            throw OptionError.unreadable("no chosen method (\(names.joined(separator: ", "))) has an option '\(key)'; see 'xad explain --help'")
        }
        return explainers
    }
}
