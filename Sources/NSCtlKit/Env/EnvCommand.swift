import ArgumentParser
import Foundation
import NSCore

extension NSCtl {
    /// `nsctl env`: checks on a deployment's `.env`.
    struct Env: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a .env file.", subcommands: [Check.self])
    }
}

extension NSCtl.Env {
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a .env file: missing, short or overdue secrets, wildcard CORS in production, malformed values.",
            discussion: """
                Prints every problem with its fix and exits 1 if there is any; 0 when the file is ready for nsd. \
                A secret the file assigns is overdue when its "# NAME generated|rotated <time>" line (written by \
                nsctl secrets gen) is more than SECRET_MAX_AGE_DAYS (default \(DaemonSettings.defaultSecretMaxAgeDays)) days old, \
                or missing (age unknown); the fix is nsctl secrets gen --rotate NAME.
                """)

        @Option(help: ArgumentHelp("The file to check.", valueName: "path"))
        var envFile = ".env"

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func run() async throws {
            try await reportingFailures {
                let file: DotEnvFile
                let text: String
                do {
                    // The text too: the secrets' dates are comments, which the parsed file leaves out.
                    guard let loaded = try DotEnvFile.read(path: envFile) else {
                        throw CommandFailure("\(envFile) does not exist; create it with `nsctl secrets gen` or pass --env-file")
                    }
                    (file, text) = loaded
                } catch let error as ConfigurationError {
                    throw CommandFailure(error.description)
                }
                let ages = EnvAudit.secretAges(in: file, text: text, path: envFile, now: Date())
                let problems = EnvAudit.problems(in: file, path: envFile, secretAges: ages)
                if json {
                    let list: [JSONValue] = problems.map { ["variable": .string($0.variable), "problem": .string($0.problem), "fix": .string($0.fix)] }
                    print(String(decoding: CanonicalJSON.encode(["file": .string(envFile), "ok": .bool(problems.isEmpty), "problems": .array(list)]), as: UTF8.self))
                } else if problems.isEmpty {
                    print("\(envFile): \(Terminal.paint("OK", .green))")
                } else {
                    for problem in problems {
                        print("\(envFile): \(Terminal.paint(problem.variable, .red))\(problem.problem.hasPrefix("=") ? "" : " ")\(problem.problem); \(problem.fix)")
                    }
                }
                if !problems.isEmpty { throw ExitCode(1) }
            }
        }
    }
}
