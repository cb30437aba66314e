import CXADKernels

/// The instruction-set level XADKit's own kernels run at on this machine, decided once at run
/// time (CPUID): AVX-512, AVX2 with FMA, or portable code. `XAD_CPU_LEVEL=portable|avx2|avx512`
/// in the environment lowers it (never raises it), so the fallback paths can be tested on any
/// machine.
///
/// ```swift
/// if CPULevel.current >= .avx2 { ... }
/// ```
public enum CPULevel: Int, Comparable, Sendable, CustomStringConvertible {
    /// Plain C: every CPU.
    case portable = 0
    /// AVX2 and FMA (x86-64-v3).
    case avx2 = 1
    /// AVX-512 F, BW, DQ and VL (x86-64-v4).
    case avx512 = 2

    /// The level kernels use: the CPU's, lowered by `XAD_CPU_LEVEL` if set.
    public static let current = CPULevel(rawValue: Int(xad_cpu_level_get().rawValue)) ?? .portable

    /// The level the CPU supports, ignoring `XAD_CPU_LEVEL`.
    public static let detected = CPULevel(rawValue: Int(xad_cpu_level_detected().rawValue)) ?? .portable

    public static func < (lhs: CPULevel, rhs: CPULevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// "avx512", "avx2" or "portable", the spelling `XAD_CPU_LEVEL` takes.
    public var description: String {
        switch self {
        case .portable: "portable"
        case .avx2: "avx2"
        case .avx512: "avx512"
        }
    }
}
