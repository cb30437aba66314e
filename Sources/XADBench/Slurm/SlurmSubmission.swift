import Foundation
import XADTensor

/// The job ids of a submitted ``SlurmArrayJob``.
public struct SlurmSubmission: Hashable, Sendable {
    /// The array job's id (its tasks are `ID_0`, `ID_1`, ...).
    public var arrayJob: String
    /// The merge job's id.
    public var mergeJob: String

    /// Submits `scripts` of `job` with `sbatch`: the array job, then the merge job with
    /// `--dependency=afterok:<array job id>`.
    /// - Throws: ``SlurmError/unreachable(reason:fallback:)`` when `sbatch` is missing or cannot
    ///   reach a controller (the message names the local fallback), ``SlurmError/rejected(script:message:)``
    ///   when Slurm refuses a script (an unknown partition, a time limit over the partition's).
    /// - Parameters:
    ///   - job: the array job the scripts were written for.
    ///   - scripts: the array and merge scripts to submit.
    ///   - sbatch: the `sbatch` executable; the one on `PATH` when `nil`.
    public static func submit(_ job: SlurmArrayJob, scripts: SlurmArrayJob.Scripts, sbatch: String? = nil) throws -> SlurmSubmission {
        guard let sbatch = sbatch ?? executable(named: "sbatch") else {
            throw SlurmError.unreachable(reason: "sbatch is not on PATH", fallback: job.localFallback)
        }
        let array = try run(sbatch, ["--parsable", scripts.array], script: scripts.array, job: job)
        let merge = try run(sbatch, ["--parsable", "--dependency=afterok:\(array)", scripts.merge], script: scripts.merge, job: job)
        return SlurmSubmission(arrayJob: array, mergeJob: merge)
    }

    /// Whether `sbatch` is on this machine's `PATH` (a hint for printing the fallback before anyone submits).
    public static var sbatchInstalled: Bool { executable(named: "sbatch") != nil }

    /// Runs `sbatch` and returns the job id it prints (`--parsable` gives `ID` or `ID;CLUSTER`).
    private static func run(_ sbatch: String, _ arguments: [String], script: String, job: SlurmArrayJob) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sbatch)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        (process.standardOutput, process.standardError) = (output, errors)
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        process.waitUntilExit()
        let id = printed.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        if process.terminationStatus == 0, !id.isEmpty, id.allSatisfy(\.isNumber) { return id }
        // sbatch words an absent controller (or a munge daemon that is down) in these terms.
        let unreachable = ["contact", "connect", "munge", "Zero Bytes"].contains { message.localizedCaseInsensitiveContains($0) }
        if unreachable { throw SlurmError.unreachable(reason: message, fallback: job.localFallback) }
        throw SlurmError.rejected(script: script, message: message.isEmpty ? "sbatch printed '\(printed)'" : message)
    }

    private static func executable(named name: String) -> String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return folders.map { "\($0)/\(name)" }.first(where: FileManager.default.isExecutableFile(atPath:))
    }
}

/// Why a benchmark could not be written as, or submitted as, a Slurm job.
public enum SlurmError: StatusReportingError, Equatable {
    /// The job's settings are impossible (no shards, no cores).
    case invalidJob(String)
    /// No Slurm answers here; `fallback` is the same work run locally, shard after shard.
    case unreachable(reason: String, fallback: String)
    /// Slurm answered and refused `script`.
    case rejected(script: String, message: String)

    /// Bad settings and a refused script are the user's to fix; a missing Slurm is this
    /// machine's state, which the user works around with the fallback: all are usage errors.
    public var exitStatus: ExitStatus { .usage }

    public var description: String {
        switch self {
        case .invalidJob(let message):
            message
        case .unreachable(let reason, let fallback):
            "Slurm is not reachable from this machine (\(reason)); run the shards here in sequence instead: \(fallback)"
        case .rejected(let script, let message):
            "\(script): sbatch refused the job: \(message)"
        }
    }
}
