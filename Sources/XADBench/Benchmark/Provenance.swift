import Crypto
import Foundation
import XADDetect

/// One finished cell as the results database stores it: what was measured, on which data, by
/// which code on which machine, and what it cost.
public struct BenchmarkCellRun: Codable, Sendable, Equatable {
    /// What the cell's figures cost and where they were made.
    public struct Facts: Codable, Sendable, Equatable {
        /// The preset of the costly settings (`quick`, `thorough`).
        public var preset: String
        /// `SavedModel.xadkitVersion` of the code that ran.
        public var xadkitVersion: String
        /// The git commit of the working tree the run started in (`git rev-parse HEAD` at run
        /// time; "unknown" outside a git checkout).
        public var gitCommit: String
        /// The CPU's model name and core count.
        public var machine: String
        /// When the cell started (ISO 8601, UTC).
        public var startedAt: String
        /// Wall seconds of the whole cell, fitting included.
        public var wallSeconds: Double
        /// Seconds fitting the detector; 0 when an earlier cell's fitted model was reused.
        public var fitSeconds: Double
        /// Seconds scoring test images (detection cells).
        public var scoreSeconds: Double
        /// Seconds explaining and measuring explanations (explainer cells).
        public var explainSeconds: Double
        /// The process's peak resident memory so far, in megabytes (`getrusage`): an upper bound
        /// of the cell's own peak.
        public var peakMemoryMB: Double
        /// Why a cell has no figures (e.g. the explainer does not apply to the detector).
        public var note: String?
    }

    /// The cell.
    public var cell: BenchmarkCell
    /// ``DataFingerprint`` of the cell's data set, with its subset's limits when the config cuts it (" train 60 test 60").
    public var fingerprint: String
    /// The digest of the config that ran it (``ConfigDigest``).
    public var configDigest: String
    /// Times, memory, code and machine.
    public var facts: Facts

    public init(cell: BenchmarkCell, fingerprint: String, configDigest: String, facts: Facts) {
        (self.cell, self.fingerprint, self.configDigest, self.facts) = (cell, fingerprint, configDigest, facts)
    }
}

/// A data set folder's fingerprint: SHA-256 over its file list, each file's size and the SHA-256
/// of its contents (of its first and last MiB for files over 8 MiB, which the list says), so
/// that a changed, added or removed file gives another fingerprint. Hidden files are left out.
///
/// ```swift
/// let fingerprint = try DataFingerprint.of(URL(fileURLWithPath: "../shared/data/mtd"))  // "sha256:3f1a..."
/// ```
public enum DataFingerprint {
    /// Files up to this size are hashed whole.
    public static let wholeFileLimit = 8 << 20

    /// The fingerprint of the folder at `root`.
    /// - Throws: the file error naming a file that cannot be read.
    public static func of(_ root: URL) throws -> String {
        let base = root.standardizedFileURL.path
        let enumerator = FileManager.default.enumerator(at: root.standardizedFileURL, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey],
                                                        options: [.skipsHiddenFiles])
        var files: [(path: String, url: URL, size: Int)] = []
        while let url = enumerator?.nextObject() as? URL {
            let values = try url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
            guard values.isRegularFile == true else { continue }
            let path = url.standardizedFileURL.path
            files.append((path.hasPrefix(base) ? String(path.dropFirst(base.count + 1)) : path, url, values.fileSize ?? 0))
        }
        var list = ""
        for file in files.sorted(by: { $0.path < $1.path }) {
            list += "\(file.path)\t\(file.size)\t\(try contentHash(file.url, size: file.size))\n"
        }
        return "sha256:" + hex(SHA256.hash(data: Data(list.utf8)))
    }

    /// SHA-256 of the file's bytes, or `head+tail:` and that of its first and last MiB.
    static func contentHash(_ url: URL, size: Int) throws -> String {
        guard size > wholeFileLimit else { return hex(SHA256.hash(data: try Data(contentsOf: url))) }
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let head = try handle.read(upToCount: 1 << 20) ?? Data()
        try handle.seek(toOffset: UInt64(size - (1 << 20)))
        let tail = try handle.read(upToCount: 1 << 20) ?? Data()
        return "head+tail:" + hex(SHA256.hash(data: head + tail))
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}

/// A config's canonical JSON (sorted keys) and its SHA-256: shards of one grid have equal digests.
public enum ConfigDigest {
    /// The JSON and `sha256:...` digest of `config`.
    public static func of(_ config: BenchmarkConfig) throws -> (json: String, digest: String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = try encoder.encode(config)
        return (String(decoding: json, as: UTF8.self), "sha256:" + DataFingerprint.hex(SHA256.hash(data: json)))
    }
}

/// Where the running code came from: its version and git commit.
enum SourceVersion {
    /// `git rev-parse HEAD` in the current folder, or "unknown" (no git, not a checkout).
    static let gitCommit: String = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "rev-parse", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "unknown" }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let commit = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return process.terminationStatus == 0 && !commit.isEmpty ? commit : "unknown"
    }()

    /// The process's peak resident memory in megabytes (Linux reports `ru_maxrss` in KiB).
    static var peakMemoryMB: Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
        #else
        getrusage(RUSAGE_SELF, &usage)
        return Double(usage.ru_maxrss) / 1_048_576   // bytes on macOS
        #endif
    }
}
