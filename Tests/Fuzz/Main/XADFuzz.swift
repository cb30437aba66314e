import Foundation
import XADFuzzTargets

// `XADFuzz`: built with `-sanitize=fuzzer,address -DXAD_LIBFUZZER` (`make fuzz`), it hands its
// arguments to libFuzzer's driver, which runs the target that `XAD_FUZZ_TARGET` names on
// generated inputs; in the normal build it replays files instead: `XADFuzz <target> FILE...`.

#if XAD_LIBFUZZER
/// The target that `XAD_FUZZ_TARGET` names, looked up once.
private let selectedTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["XAD_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.named(name) else {
        let names = FuzzTargets.all.map { $0.name }.joined(separator: ", ")
        FileHandle.standardError.write(Data("XADFuzz: set XAD_FUZZ_TARGET to one of \(names)\n".utf8))
        exit(2)
    }
    return target
}()

/// One input, any bytes: libFuzzer's entry point. The driver below calls it; an unoptimised build
/// (`FUZZ_CONFIG=debug`) links libFuzzer's own `main` as well, which needs this symbol by name.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selectedTarget.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

/// libFuzzer's driver (its own `main` cannot be used: SwiftPM links an executable's `main` to
/// `XADFuzz_main`, defined below).
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The program's entry point under libFuzzer: one input at a time, any bytes.
@_cdecl("XADFuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc, arguments = argv
    _ = selectedTarget
    return runFuzzerDriver(&count, &arguments) { data, size in testOneInput(data, size) }
}
#else
/// Replays files through a target: `XADFuzz <target> FILE...`.
@main
struct XADFuzzReplay {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTargets.named(name) else {
            print("usage: XADFuzz <target> FILE...  (targets: \(FuzzTargets.all.map { $0.name }.joined(separator: ", ")))")
            exit(1)
        }
        for path in arguments.dropFirst() {
            target.run(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            print("\(name): \(path) ok")
        }
    }
}
#endif
