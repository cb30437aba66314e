import Foundation

/// The computer a report was made on, for reading its timings.
public struct Machine: Sendable, Equatable, Codable {
    /// The CPU's model name (from `/proc/cpuinfo` on Linux), or "unknown CPU".
    public var cpuModel: String
    /// Logical cores available to this process.
    public var cores: Int
    /// Physical memory in bytes.
    public var memoryBytes: UInt64
    /// The operating system's version text.
    public var operatingSystem: String

    /// This computer.
    public static var current: Machine {
        let info = ProcessInfo.processInfo
        return Machine(cpuModel: cpuModelName() ?? "unknown CPU", cores: info.activeProcessorCount,
                       memoryBytes: info.physicalMemory, operatingSystem: info.operatingSystemVersionString)
    }

    /// "Intel(R) Xeon(R) ... · 2 cores · 7.8 GiB · Linux ..."
    public var description: String {
        "\(cpuModel) · \(cores) core\(cores == 1 ? "" : "s") · "
            + String(format: "%.1f GiB", Double(memoryBytes) / 1_073_741_824) + " · \(operatingSystem)"
    }

    /// The first `model name` line of `/proc/cpuinfo`, when there is one.
    static func cpuModelName() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}
