import ArgumentParser
import Foundation
import NSCore

extension NSCtl.Jobs {
    /// `nsctl jobs dlq ...`.
    struct DeadLetters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "dlq", abstract: "The dead-letter queue: list, show, retry, purge.",
                                                        subcommands: [List.self, Show.self, Retry.self, Purge.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List dead-lettered jobs, oldest first.")
            @Option(help: "Only jobs of this type.") var type: String?
            @Option(help: "At most this many (1 to 1000).") var limit = 50
            @OptionGroup var options: OperatorOptions

            func run() async throws {
                try await reportingFailures {
                    let filter = type.map { "&type=\($0.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? $0)" } ?? ""
                    JobPrinter(json: options.json).list(try await options.api().get("/v1/dlq?limit=\(limit)\(filter)"))
                }
            }
        }

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show a dead-lettered job with its error history.")
            @Argument(help: "Job id.") var id: String
            @OptionGroup var options: OperatorOptions

            func run() async throws {
                try await reportingFailures { JobPrinter(json: options.json).detail(try await options.api().get("/v1/jobs/\(id)")) }
            }
        }

        struct Retry: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Queue dead-lettered jobs again (attempts reset, history kept).")
            @Argument(help: "Job ids.") var ids: [String] = []
            @Flag(help: "Every dead-lettered job (of --type, if given).") var all = false
            @Option(help: "With --all: only jobs of this type.") var type: String?
            @OptionGroup var options: OperatorOptions

            func validate() throws {
                guard ids.isEmpty != !all else { throw ValidationError("name job ids or pass --all, not both") }
                if type != nil && !all { throw ValidationError("--type goes with --all") }
            }

            func run() async throws {
                try await reportingFailures {
                    var body: [String: JSONValue] = all ? ["all": true] : ["ids": .array(ids.map { .string($0) })]
                    if let type { body["type"] = .string(type) }
                    let answer = try await options.api().post("/v1/dlq/retry", .object(body))
                    try JobPrinter(json: options.json).raw(answer, text: "retried \(answer["retried"]?.intValue ?? 0) job(s)")
                }
            }
        }

        struct Purge: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Delete dead-lettered jobs for good.",
                discussion: "Asks for confirmation on a terminal; elsewhere --yes is required.")
            @Argument(help: "Job ids.") var ids: [String] = []
            @Option(help: ArgumentHelp("Jobs dead-lettered more than this long ago: a number with s, m, h or d.", valueName: "age")) var olderThan: String?
            @Flag(help: "Every dead-lettered job.") var all = false
            @Flag(help: "Do not ask for confirmation.") var yes = false
            @OptionGroup var options: OperatorOptions

            func validate() throws {
                guard [!ids.isEmpty, olderThan != nil, all].filter({ $0 }).count == 1 else {
                    throw ValidationError("choose exactly one of: job ids, --older-than AGE, --all")
                }
                if let olderThan { _ = try NSCtl.Token.Create.lifetime(olderThan, maximum: .seconds(10 * 365 * 86_400), flag: "--older-than") }
            }

            func run() async throws {
                try await reportingFailures {
                    var body: [String: JSONValue]
                    let what: String
                    if all {
                        body = ["all": true]; what = "every dead-lettered job"
                    } else if let olderThan {
                        let age = try NSCtl.Token.Create.lifetime(olderThan, maximum: .seconds(10 * 365 * 86_400), flag: "--older-than")
                        body = ["olderThanMs": .int(Int64(age / .milliseconds(1)))]; what = "dead-lettered jobs older than \(olderThan)"
                    } else {
                        body = ["ids": .array(ids.map { .string($0) })]; what = "\(ids.count) dead-lettered job(s)"
                    }
                    try Confirmation.require(yes: yes, question: "Delete \(what) for good?")
                    let answer = try await options.api().post("/v1/dlq/purge", .object(body))
                    try JobPrinter(json: options.json).raw(answer, text: "purged \(answer["purged"]?.intValue ?? 0) job(s)")
                }
            }
        }
    }
}
