import Foundation
import Testing
import XADModels

/// The promises every `xad` command keeps alike: `--json -` puts one JSON document on stdout and
/// nothing else, `--json FILE` writes the same document to FILE and the text to stdout, `--quiet`
/// leaves stderr empty on success, a usage error exits 1 with one line naming the help to read,
/// and every help text ends with an example. Runs on the synthetic model of
/// ``FitPredictEvaluateTests``.
@Suite("xad commands behave alike", .serialized)
struct ConsistencyTests {
    /// Each command's arguments on the synthetic data set, without `--json` or `--quiet`.
    static func commands() throws -> [(name: String, arguments: [String])] {
        let fitted = try FitPredictEvaluateTests.fitted.get()
        let data = fitted.data.root.path, model = fitted.model.path
        let scores = FitPredictEvaluateTests.temporaryPath("scores.csv")
        try Data("file,score,label\na.png,0.1,0\nb.png,0.9,1\nc.png,0.4,0\nd.png,0.7,1\n".utf8)
            .write(to: URL(fileURLWithPath: scores))
        let lite0 = try WeightLocator().locate(EfficientNetLiteVariant.lite0.checkpoint).path
        return [
            ("fit", FitPredictEvaluateTests.fitArguments(data: data, out: FitPredictEvaluateTests.temporaryPath("m.xadm"))),
            ("predict", ["predict", "--model", model, fitted.data.url("abnormal/spot").path]),
            ("evaluate", ["evaluate", "--model", model, "--data", data, "--format", "folder"]),
            ("explain-eval", ["explain-eval", "--model", model, "--data", data, "--format", "folder",
                              "--methods", "saliency", "--limit", "1", "--randomisation-levels", "0"]),
            ("explain", ["explain", "--model", model, "--method", "saliency", fitted.data.url("abnormal/spot/spot_0.png").path,
                         fitted.data.url("abnormal/spot/spot_1.png").path, "--out", FitPredictEvaluateTests.temporaryPath("why")]),
            ("report", ["report", "--model", model, "--data", data, "--format", "folder", "--explained", "0", "--gallery", "2",
                        "--out", FitPredictEvaluateTests.temporaryPath("report")]),
            ("concepts", ["concepts", "--data", data, "--format", "folder", "--random-images", "10",
                          "--out", FitPredictEvaluateTests.temporaryPath("concepts")]),
            ("metrics", ["metrics", "--scores", scores]),
            ("weights inspect", ["weights", "inspect", lite0]),
        ]
    }

    @Test func jsonOnStandardOutputIsOneDocumentAndNothingElse() throws {
        for command in try Self.commands() {
            let outcome = try XADProcess.run(command.arguments + ["--json", "-"])
            #expect(outcome.status == 0, "\(command.name): \(outcome.stderr)")
            let parsed = try? JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8))
            #expect(parsed is [String: Any] || parsed is [Any], "\(command.name) printed: \(outcome.stdout.prefix(300))")
        }
    }

    @Test func jsonToAFileKeepsTheTextOnStandardOutput() throws {
        for command in try Self.commands() {
            let file = FitPredictEvaluateTests.temporaryPath("result.json")
            defer { try? FileManager.default.removeItem(atPath: file) }
            let outcome = try XADProcess.run(command.arguments + ["--json", file])
            #expect(outcome.status == 0, "\(command.name): \(outcome.stderr)")
            #expect(!outcome.stdout.isEmpty && (try? JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8))) == nil,
                    "\(command.name): the text result stays on stdout")
            let written = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect((try? JSONSerialization.jsonObject(with: written)) != nil, "\(command.name) wrote unparsable JSON")
        }
    }

    @Test func quietLeavesStandardErrorEmptyOnSuccess() throws {
        for command in try Self.commands() where command.name != "weights inspect" {
            let outcome = try XADProcess.run(command.arguments + ["--quiet"])
            #expect(outcome.status == 0, "\(command.name): \(outcome.stderr)")
            #expect(outcome.stderr.isEmpty, "\(command.name) wrote on stderr: \(outcome.stderr)")
            #expect(!outcome.stdout.isEmpty, "\(command.name): the result still goes to stdout")
        }
    }

    @Test func usageErrorsExitOneWithOneLineNamingTheHelp() throws {
        for command in try Self.commands() {
            let outcome = try XADProcess.run(command.arguments + ["--no-such-option"])
            #expect(outcome.status == 1, "\(command.name): \(outcome.stderr)")
            #expect(outcome.stdout.isEmpty, "\(command.name)")
            let lines = outcome.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(command.name): \(outcome.stderr)")
            #expect(outcome.stderr.hasPrefix("xad: error: ") && outcome.stderr.contains("'xad \(command.arguments[0]) --help'"),
                    "\(command.name): \(outcome.stderr)")
        }
        let badLimit = try XADProcess.run(["evaluate", "--model", "m.xadm", "--data", "/tmp", "--limits", "maxPixels=many"])
        #expect(badLimit.status == 1 && badLimit.stderr.contains("maxPixels") && badLimit.stderr.contains("'xad evaluate --help'"),
                "\(badLimit.stderr)")
        let badJSONFolder = try XADProcess.run(["evaluate", "--model", "m.xadm", "--data", "/tmp", "--json", "/no/such/folder/r.json"])
        #expect(badJSONFolder.status == 2 && badJSONFolder.stderr.contains("/no/such/folder"), "\(badJSONFolder.stderr)")
    }

    @Test func everyHelpReadsAsAManualWithAnExample() throws {
        let subcommands = [[], ["demo"], ["fit"], ["predict"], ["evaluate"], ["report"], ["explain"], ["explain-eval"],
                           ["concepts"], ["metrics"], ["weights", "inspect"]]
        for subcommand in subcommands {
            let outcome = try XADProcess.run(subcommand + ["--help"])
            #expect(outcome.status == 0, "\(subcommand)")
            #expect(outcome.stdout.contains("Example:"), "\(subcommand) has no example")
            #expect(outcome.stderr.isEmpty)
        }
    }
}
