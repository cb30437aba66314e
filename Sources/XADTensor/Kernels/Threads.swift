import Dispatch
import Synchronization
#if canImport(CBLAS)
import CBLAS
#endif

/// The one setting for how many threads XADKit's kernels use (BLAS and Dispatch alike).
///
/// Defaults to the number of active processors; `XAD_THREADS` in the environment overrides it.
///
/// ```swift
/// Threads.count = 1   // reproducible timings on a busy machine
/// ```
public enum Threads {
    private static let configured = Mutex<Int>(Threads.initialCount())

    /// The number of threads kernels may use (at least 1).
    public static var count: Int {
        get { configured.withLock { $0 } }
        set {
            let value = Swift.max(1, newValue)
            configured.withLock { $0 = value }
            BLAS.setThreadCount(value)
        }
    }

    private static func initialCount() -> Int {
        let fromEnvironment = getenv("XAD_THREADS").flatMap { Int(String(cString: $0)) }
        let value = Swift.max(1, fromEnvironment ?? ProcessInfoLite.activeProcessorCount)
        BLAS.setThreadCount(value)
        return value
    }

    /// Runs `body(i)` for every `i` in `0..<iterations`, spread over ``count`` threads.
    /// Iterations must be independent; each should carry enough work (thousands of flops).
    package static func parallelFor(_ iterations: Int, _ body: (Int) -> Void) {
        let threads = Swift.min(count, iterations)
        if threads <= 1 {
            for i in 0..<iterations { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: threads) { thread in
                // Contiguous chunks keep each thread on its own memory.
                let start = iterations * thread / threads
                let end = iterations * (thread + 1) / threads
                for i in start..<end { box.value(i) }
            }
        }
    }
}

/// Carries a value the caller guarantees is used safely across threads.
package struct UncheckedSendable<Value>: @unchecked Sendable {
    package let value: Value
    package init(_ value: Value) { self.value = value }
}

#if canImport(Glibc)
import Glibc
private enum ProcessInfoLite {
    static var activeProcessorCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
#else
import Foundation
private enum ProcessInfoLite {
    static var activeProcessorCount: Int { ProcessInfo.processInfo.activeProcessorCount }
}
#endif
