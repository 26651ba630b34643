import Foundation
import Logging
import NSCore
import NSNodeClient
import NSQueue
import Testing
@testable import NSNodes

/// vp-node's workers on a real SQLite queue against a real ns-node over HTTP: before a job's
/// failure is recorded, its job id is looked up in the ledger, and a job the ledger records ends
/// completed with that transaction, so the queue never retries or dead-letters it.
@Suite("queue workers: a failed attempt of a job the ledger records")
struct FailedAttemptLedgerTests {
    /// No processor handles this type: every attempt of such a job fails permanently.
    static let unhandled = "no-such-type"

    /// Workers leasing from `queue`, sending to and looking jobs up at `ledger`: one worker, so
    /// its leases grow 1, 2, 4 and the later jobs are worked in batches.
    static func workers(_ queue: SQLiteJobQueue, ledger address: PeerAddress) -> QueueWorkers {
        let client = NodeClient.nodeFailingFast
        return QueueWorkers(queue: queue, processor: ArtifactProcessor(sanitiser: SanitiserCache(sanitiser: PromptSanitiser()), sandbox: nil, concurrentSnippets: 1, privacy: .published),
                            sender: TransactionSender(ledger: LedgerCalls(address: address, token: Secret("internal-token"), timeout: .seconds(10), client: .nodeFailingFast)),
                            ledger: JobLedgerLookup(nsNode: address, client: client, timeout: .seconds(5)),
                            count: 1, batch: 8, logger: Logger(label: "vp-node"))
    }

    /// Runs `workers` until every one of `ids` has finished (completed or dead-lettered), then stops them.
    static func run(_ workers: QueueWorkers, until ids: [String], in queue: SQLiteJobQueue) async throws {
        let running = Task { try await workers.run() }
        var finished = false
        for _ in 0..<150 where !finished {
            var states: [JobState] = []
            for id in ids { if let state = try await queue.job(id: id)?.state { states.append(state) } }
            finished = states.count == ids.count && states.allSatisfy { $0 == .completed || $0 == .deadLetter }
            if !finished { try await Task.sleep(for: .milliseconds(100)) }
        }
        running.cancel()
        _ = await running.result
        #expect(finished, "the jobs did not finish")
    }

    @Test("in batched leases, failing jobs the ledger records (committed or pending) complete with the transaction held; the others are dead-lettered as before")
    func recordedJobsComplete() async throws {
        let ledger = try LiveLedgerNode()
        let queue = try GatewayFixture().queue
        let ids = try await queue.enqueue(batch: (0..<7).map { _ in NewJob(type: Self.unhandled, payload: []) }).map(\.id)
        // Leases of 1, 2 and 4 jobs: the recorded ones sit in the second and the third.
        let committed = try LiveLedgerNode.tx(job: ids[2], submitter: "alice", text: "anchored before the restore")
        let waiting = try LiveLedgerNode.tx(job: ids[4], submitter: "bob", text: "in the mempool before the restore")
        try await ledger.commit([committed])
        _ = try await ledger.store.submit([waiting])
        try await ledger.serve { address in
            try await Self.run(Self.workers(queue, ledger: address), until: ids, in: queue)
        }
        for (index, id) in ids.enumerated() {
            let job = try #require(try await queue.job(id: id))
            switch index {
            case 2, 4:
                let held = index == 2 ? (committed, "alice") : (waiting, "bob")
                #expect(job.state == .completed, "job \(index): \(job.state) \(job.errors.map(\.message))")
                let outcome = job.result.flatMap(ArtifactJob.Outcome.init(result:))
                #expect(outcome?.txHash == held.0.hash.hex && outcome?.submitter == held.1, "job \(index)")
                #expect(job.errors.isEmpty, "job \(index): its failure is not recorded")
            default:
                #expect(job.state == .deadLetter, "job \(index): \(job.state)")
                #expect(job.errors.last?.message.contains("no handler for job type") == true, "job \(index): \(job.errors.map(\.message))")
            }
        }
    }

    @Test("when ns-node cannot be asked, a failing job's failure is recorded as before")
    func lookupFailureRecordsTheFailure() async throws {
        let queue = try GatewayFixture().queue
        let id = try await queue.enqueue(NewJob(type: Self.unhandled, payload: [])).id
        // Nobody listens on port 9: the lookup fails, and nothing can say the job is recorded.
        let away = PeerAddress(url: URL(string: "http://127.0.0.1:9")!)  // a literal URL
        try await Self.run(Self.workers(queue, ledger: away), until: [id], in: queue)
        let job = try #require(try await queue.job(id: id))
        #expect(job.state == .deadLetter)
        #expect(job.errors.map(\.message) == ["no handler for job type \(Self.unhandled)"])
    }
}
