import ArgumentParser
import Foundation
import NSCore

extension NSCtl {
    /// `nsctl jobs`: look at and act on jobs through vp-node's operator API.
    struct Jobs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Inspect and manage jobs and the dead-letter queue (vp-node operator API).",
            discussion: "Reading needs the viewer role; cancel, retry and purge need operator. See --token-file and --role.",
            subcommands: [Status.self, List.self, Cancel.self, DeadLetters.self])
    }

    /// `nsctl queue pause|resume`.
    struct Queue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause or resume leasing (operator role).", subcommands: [Pause.self, Resume.self])

        struct Pause: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Stop workers from leasing jobs; running jobs finish.")
            @OptionGroup var options: OperatorOptions
            func run() async throws {
                try await reportingFailures { try JobPrinter(json: options.json).raw(try await options.api().post("/v1/queue/pause"), text: "queue paused") }
            }
        }

        struct Resume: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Let workers lease jobs again.")
            @OptionGroup var options: OperatorOptions
            func run() async throws {
                try await reportingFailures { try JobPrinter(json: options.json).raw(try await options.api().post("/v1/queue/resume"), text: "queue resumed") }
            }
        }
    }
}

extension NSCtl.Jobs {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one job, with its error history.")
        @Argument(help: "Job id.") var id: String
        @OptionGroup var options: OperatorOptions

        func run() async throws {
            try await reportingFailures { JobPrinter(json: options.json).detail(try await options.api().get("/v1/jobs/\(id)")) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs in one state, oldest first.")
        @Option(help: "queued, processing, retry, completed, dead_letter or cancelled.") var state = "queued"
        @Option(help: "At most this many (1 to 1000).") var limit = 50
        @OptionGroup var options: OperatorOptions

        func validate() throws {
            guard (1...1_000).contains(limit) else { throw ValidationError("--limit must be 1 to 1000") }
        }

        func run() async throws {
            try await reportingFailures {
                JobPrinter(json: options.json).list(try await options.api().get("/v1/jobs?state=\(state)&limit=\(limit)"))
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a queued or retrying job.")
        @Argument(help: "Job id.") var id: String
        @OptionGroup var options: OperatorOptions

        func run() async throws {
            try await reportingFailures { try JobPrinter(json: options.json).raw(try await options.api().post("/v1/jobs/\(id)/cancel"), text: "cancelled \(id)") }
        }
    }
}
