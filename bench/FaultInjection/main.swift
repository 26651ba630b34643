import Foundation

// fault-inject SCENARIO... | all: runs each scenario against real nsd processes (release build:
// NSD/NSCTL default to .build/release/nsd and nsctl; run from the repository root) and prints its
// verdict; exits 1 when any fails.
let arguments = Array(CommandLine.arguments.dropFirst())
let known = Scenarios.all
let names = arguments == ["all"] ? Scenarios.all.keys.sorted() : arguments
guard !names.isEmpty, names.allSatisfy({ known[$0] != nil }) else {
    FileHandle.standardError.write(Data("usage: fault-inject all | \(known.keys.sorted().joined(separator: " | "))...\n".utf8))
    exit(64)
}
var failed: [String] = []
for name in names {
    do {
        if try await known[name]!() == false { failed.append(name) }  // names were checked above
    } catch {
        print("scenario \(name): FAIL (\(error))")
        failed.append(name)
    }
}
print(failed.isEmpty ? "all \(names.count) scenario(s) passed" : "failed: \(failed.joined(separator: ", "))")
exit(failed.isEmpty ? 0 : 1)
