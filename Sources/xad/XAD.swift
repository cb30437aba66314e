import ArgumentParser

/// The `xad` command: a thin layer over the XADKit libraries. Each subcommand lives in its own
/// file; registering one is one line below.
@main
struct XAD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xad",
        abstract: "Explainable visual anomaly detection: fit, score, explain and evaluate.",
        subcommands: [
            WeightsCommand.self,
            MetricsCommand.self,
            FitCommand.self,
            PredictCommand.self,
            EvaluateCommand.self,
            ReportCommand.self,
            ExplainEvalCommand.self,
        ]
    )
}
