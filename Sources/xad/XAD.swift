import ArgumentParser
import XADDetect
import XADExplain

/// The `xad` command: a thin layer over the XADKit libraries. Each subcommand lives in its own
/// file; registering one is one line below.
@main
struct XAD: ParsableCommand {
    /// Computed, so that the method lists are read from the registries when help is shown.
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "xad",
            abstract: "Explainable visual anomaly detection: fit, score, explain and evaluate.",
            discussion: """
                Fit a detector on normal images, score new ones, see where and why they are anomalous, \
                and measure it. Results go to stdout (text, or JSON with --json -; --json FILE writes \
                the JSON to FILE as well); progress goes to stderr, only on a terminal, and --quiet \
                hides it (warnings still show). Exit status: 0 success, 1 usage error, 2 data error \
                (a missing, empty or corrupt file or folder), 3 internal error (please report it).

                Detectors (xad fit --help shows their options): \(Detectors.names.joined(separator: ", ")).
                Explanation methods (xad explain --help shows their options): \(Explainers.names.joined(separator: ", ")).

                Example:
                  xad demo
                  xad fit --detector patchcore --data Demo/deeppcb --out pcb.xadm
                  xad evaluate --model pcb.xadm --data Demo/deeppcb
                  xad predict --model pcb.xadm --maps maps board.jpg
                """,
            subcommands: [
                DemoCommand.self,
                WeightsCommand.self,
                MetricsCommand.self,
                FitCommand.self,
                PredictCommand.self,
                EvaluateCommand.self,
                ReportCommand.self,
                ExplainCommand.self,
                ExplainEvalCommand.self,
                ConceptsCommand.self,
                ServeCommand.self,
                CatalogCommand.self,
                GuideCommand.self,
                BenchmarkCommand.self,
            ]
        )
    }
}
