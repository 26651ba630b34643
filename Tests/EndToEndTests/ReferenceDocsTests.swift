import Foundation
import NSTestSupport
import Testing

@Suite("Generated completions and man pages match the commands")
struct ReferenceDocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test("the committed completions and man pages equal a fresh generation from the built binaries")
    func committedFilesAreCurrent() async throws {
        let check = try await NSCtlRunner.run(["generate-docs", "--check", "--out", Self.root, "--nsd", try NSDInstance.binary()])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

        // And --check really compares: a changed copy is reported by name.
        let copy = try Tools.temporaryDirectory("docs-copy")
        for folder in ["man", "completions"] {
            try FileManager.default.copyItem(atPath: "\(Self.root)/\(folder)", toPath: "\(copy)/\(folder)")
        }
        try Data("# edited\n".utf8).write(to: URL(fileURLWithPath: "\(copy)/completions/nsd.fish"), options: .atomic)
        let stale = try await NSCtlRunner.run(["generate-docs", "--check", "--out", copy, "--nsd", try NSDInstance.binary()])
        #expect(stale.status == 1)
        #expect(stale.stdout == "differs: \(copy)/completions/nsd.fish\n", "\(stale.stdout)")
    }

    @Test("mandoc -Tlint finds no warning or error in either man page")
    func manPagesLintClean() throws {
        let mandoc = try Tools.which("mandoc")
        for page in ["man/nsctl.1", "man/nsd.8"] {
            let lint = try Tools.run(mandoc, ["-Tlint", "-Wwarning", "\(Self.root)/\(page)"])
            #expect(lint.status == 0, "\(page): \(lint.output)")
        }
    }

    @Test("nsctl.1 documents every subcommand, nested ones included")
    func everySubcommandDocumented() throws {
        let dump = try Tools.run(try NSDInstance.nsctl(), ["--experimental-dump-help"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(dump.output.utf8)) as? [String: Any])
        var paths: [String] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                guard let name = sub["commandName"] as? String, name != "help", sub["shouldDisplay"] as? Bool != false else { continue }
                paths.append((path + [name]).joined(separator: " "))
                walk(sub, path + [name])
            }
        }
        walk(try #require(json["command"] as? [String: Any]), [])
        #expect(paths.contains("backup prune"))
        #expect(paths.contains("restore"))
        let page = try String(contentsOfFile: "\(Self.root)/man/nsctl.1", encoding: .utf8)
        for path in paths {
            #expect(page.contains(".It Nm \(path)"), "man/nsctl.1 lacks \(path)")
        }
    }

    @Test("the bash completion script loads and registers completion for both programs")
    func bashCompletionLoads() throws {
        for tool in ["nsctl", "nsd"] {
            let result = try Tools.run(try Tools.which("bash"), ["-c", "source \(Self.root)/completions/\(tool).bash && complete -p \(tool)"])
            #expect(result.status == 0, "\(tool): \(result.output)")
            #expect(result.output.contains(tool))
        }
    }
}
