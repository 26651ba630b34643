import ArgumentParser
import Foundation
import NSCore
import NSNodeClient

extension NSCtl {
    /// `nsctl submit FILE...`: artifacts to the gateway, optionally waiting for their blocks.
    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit files (or - for stdin) as artifacts, and optionally wait until they are in a block.",
            discussion: """
                Next to a development nsd (./scripts/start in this folder), no configuration is needed:

                  nsctl submit file.txt --wait

                nsctl then mints its token from the JWT_SECRET that nsd keeps in its data folder \
                (--data-dir, DATA_DIR, default ./data) and says so on stderr. Otherwise the token comes from \
                --token-file, NSCTL_TOKEN, or JWT_SECRET in the environment or .env.

                Every file is read and checked first (UTF-8, 1 to MAX_ARTIFACT_CHARS characters); if any fails, \
                nothing is sent. One file goes to /api/submit, several to /api/submit-batch in chunks of \
                MAX_BATCH_ITEMS. Each request carries an Idempotency-Key derived from what it sends, so \
                running the same command again does not submit twice. Prints one job id per file.

                --wait polls each job until it is committed (then prints block height and tx hash) or \
                dead-lettered; exit 0 only if every file was committed.
                """)

        @Argument(help: ArgumentHelp("Files to submit; - reads standard input.", valueName: "file"))
        var files: [String]

        @Option(name: .customLong("metadata"), help: ArgumentHelp("key=value metadata for every file (repeatable).", valueName: "key=value"))
        var metadataPairs: [String] = []

        @Option(help: ArgumentHelp("critical, high, normal or low.", valueName: "priority"))
        var priority: String?

        @Flag(help: "Wait until every job is committed or dead-lettered.")
        var wait = false

        @Option(help: ArgumentHelp("With --wait: give up after this many seconds (exit 1).", valueName: "seconds"))
        var waitTimeout: Double = 600

        @OptionGroup var gateway: GatewayOptions

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("name at least one file (or - for stdin)") }
            guard files.filter({ $0 == "-" }).count <= 1 else { throw ValidationError("- (stdin) can be given once") }
            if let priority, !["critical", "high", "normal", "low"].contains(priority) {
                throw ValidationError("--priority must be critical, high, normal or low")
            }
            _ = try metadata()
            guard waitTimeout > 0 else { throw ValidationError("--wait-timeout must be above 0") }
        }

        func metadata() throws -> [String: JSONValue] {
            var metadata: [String: JSONValue] = [:]
            for pair in metadataPairs {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, (1...64).contains(parts[0].utf8.count),
                      parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }) else {
                    throw ValidationError("--metadata \(pair) must be key=value with a key of 1 to 64 characters from A-Z a-z 0-9 _ . -")
                }
                metadata[parts[0]] = .string(parts[1])
            }
            return metadata
        }

        func run() async throws {
            try await reportingFailures {
                let source = try gateway.source()
                let limits: (chars: Int, batch: Int)
                do {
                    limits = (try source.integer(["MAX_ARTIFACT_CHARS"], default: 10_000, range: 1...10_000_000),
                              try source.integer(["MAX_BATCH_ITEMS"], default: 100, range: 1...10_000))
                } catch let error as ConfigurationError {
                    throw CommandFailure(error)
                }
                let artifacts = try files.map { try Artifact.read($0, maxCharacters: limits.chars) }
                let client = try gateway.gateway()
                let credential = try await gateway.credential()
                let sender = SubmissionSender(client: client, credential: credential)
                let ids = try await sender.submit(artifacts, metadata: try metadata(), priority: priority, chunk: limits.batch)
                if !wait {
                    report(ids: ids, artifacts: artifacts)
                    return
                }
                let outcomes = try await JobWaiter(client: client, bearer: credential.token, timeout: .milliseconds(Int64(waitTimeout * 1000)))
                    .wait(for: ids, names: artifacts.map(\.name), json: json)
                report(outcomes)
                if !outcomes.allSatisfy(\.committed) { throw ExitCode(1) }
            }
        }

        private func report(ids: [String], artifacts: [Artifact]) {
            if json {
                let items: [JSONValue] = zip(artifacts, ids).map { ["file": .string($0.name), "id": .string($1)] }
                print(String(decoding: CanonicalJSON.encode(.array(items)), as: UTF8.self))
            } else {
                for (artifact, id) in zip(artifacts, ids) { print("\(id)  \(artifact.name)") }
            }
        }

        private func report(_ outcomes: [JobOutcome]) {
            if json {
                print(String(decoding: CanonicalJSON.encode(.array(outcomes.map(\.json))), as: UTF8.self))
            } else {
                outcomes.forEach { print($0.line) }
            }
        }
    }
}

/// Sends artifacts: one with `/api/submit`, several with `/api/submit-batch` in chunks.
struct SubmissionSender {
    let client: NodeEndpoint
    let credential: BearerToken.Credential

    func submit(_ artifacts: [Artifact], metadata: [String: JSONValue], priority: String?, chunk: Int) async throws -> [String] {
        let items = artifacts.map { $0.item(metadata: metadata, priority: priority) }
        if items.count == 1 {
            let body = CanonicalJSON.encode(items[0])
            let reply = try await post("/api/submit", body)
            // An answer that is not JSON is reported below, quoting the answer itself.
            guard let id = (try? CanonicalJSON.decode(reply.body))?["id"]?.stringValue else {
                throw CommandFailure("the gateway accepted the artifact but its answer has no id: \(reply.text.prefix(200))")
            }
            return [id]
        }
        var ids: [String] = []
        for start in stride(from: 0, to: items.count, by: chunk) {
            let body = CanonicalJSON.encode(["items": .array(Array(items[start..<min(start + chunk, items.count)]))])
            let reply: NodeReply
            do {
                reply = try await post("/api/submit-batch", body)
            } catch let failure as CommandFailure where !ids.isEmpty {
                throw CommandFailure(failure.message + "; the first \(ids.count) file(s) were queued (\(ids.joined(separator: ", "))): "
                                     + "run the same command again to send the rest (its idempotency keys skip what is queued)")
            }
            // An answer that is not JSON adds no ids, which the count check below reports.
            let receipts = (try? CanonicalJSON.decode(reply.body))?["items"]?.arrayValue ?? []
            ids += receipts.compactMap { $0["id"]?.stringValue }
        }
        guard ids.count == artifacts.count else { throw CommandFailure("the gateway answered \(ids.count) ids for \(artifacts.count) files") }
        return ids
    }

    private func post(_ path: String, _ body: [UInt8]) async throws -> NodeReply {
        let reply = try await client.send(.POST, path, body: body, bearer: credential.token,
                                          headers: [("Idempotency-Key", Artifact.idempotencyKey(for: body))])
        guard reply.status == 202 else {
            throw CommandFailure("the gateway refused the submission, \(reply.problem.summary)\(credential.hint(for: reply))")
        }
        return reply
    }
}
