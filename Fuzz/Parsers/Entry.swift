import Foundation
import NSCore

/// libFuzzer's entry point. Built with `-sanitize=fuzzer -DFUZZING` (see `Fuzz/run`), libFuzzer
/// supplies `main` and calls this for every input; `FUZZ_TARGET` picks the parser.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    FuzzTargets.run(ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? "tx", bytes)
    return 0
}

#if !FUZZING
/// Without the fuzzer (the normal build): replays committed corpora through the same checks,
/// which the test suite does on every run, and writes the seed corpora.
@main
struct FuzzReplay {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch arguments.first {
        case "replay" where arguments.count >= 3:
            var count = 0
            var accepted = 0
            for folder in arguments.dropFirst(2) {
                for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() {
                    guard let data = FileManager.default.contents(atPath: folder + "/" + name) else { continue }
                    if FuzzTargets.run(arguments[1], Array(data)) { accepted += 1 }
                    count += 1
                }
            }
            print("replayed \(count) input(s) through \(arguments[1]), \(accepted) accepted: no failure")
        case "seeds" where arguments.count == 2:
            try FuzzSeeds.write(to: arguments[1])
        default:
            FileHandle.standardError.write(Data("usage: fuzz-parsers replay TARGET DIR... | seeds DIR (targets: \(FuzzTargets.names.joined(separator: ", ")))\n".utf8))
            exit(64)
        }
    }
}
#endif

#if FUZZING
/// libFuzzer's driver (compiler-rt, LLVM 12 and later).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM links an executable's entry point as `<module>_main`; in the fuzzing build that entry
/// hands control to libFuzzer's driver.
@_cdecl("fuzz_parsers_main")
public func fuzzParsersMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
}
#endif
