import ArgumentParser
import Foundation

extension NSCtl {
    /// `nsctl generate-docs`: writes or checks `completions/` and `man/`. Hidden: it is for the
    /// repository's maintainers and its test, not for operators.
    struct GenerateDocs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate-docs",
            abstract: "Write shell completions and man pages for nsctl and nsd into completions/ and man/.",
            shouldDisplay: false)

        @Option(help: ArgumentHelp("Repository root to write under.", valueName: "path"))
        var out: String = "."

        @Option(help: ArgumentHelp("The nsd binary to document (default: the nsd beside this nsctl).", valueName: "path"))
        var nsd: String?

        @Flag(help: "Exit 1, naming each file, when the files on disk differ from a fresh generation.")
        var check = false

        func run() async throws {
            try await reportingFailures {
                // Without /proc (not Linux) the path nsctl was started by names the same folder.
                let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
                let nsdPath = nsd ?? ((own as NSString).deletingLastPathComponent as NSString).appendingPathComponent("nsd")
                let docs = ReferenceDocs(tools: [ReferenceDocs.nsctl(executable: own), ReferenceDocs.nsd(executable: nsdPath)])
                let files = try docs.render()
                if check {
                    try GeneratedFiles.check(files, in: out, fix: "run nsctl generate-docs and commit them")
                    return
                }
                for path in try GeneratedFiles.write(files, to: out) { print("wrote \(path)") }
            }
        }
    }
}
