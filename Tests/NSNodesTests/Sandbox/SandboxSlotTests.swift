import Foundation
import GRDB
import NSCore
import NSQueue
import NSTestSupport
import Testing
@testable import NSNodes

/// Code jobs leased in a batch wait for a sandbox slot, but never past their own timeout.
@Suite("Code sandbox slots for batched jobs", .serialized)
struct SandboxSlotTests {
    /// Two code artifacts leased together from a real SQLite queue: a slow one with a long
    /// timeout, and a quick one whose timeout leaves no time to wait for a slot.
    static func leasedPair() async throws -> (slow: Job, quick: Job) {
        var migrator = DatabaseMigrator()
        SQLiteQueueSchema.register(in: &migrator)
        let database = try NodeDatabase(path: try Tools.temporaryDirectory("sandbox-slots") + "/queue.db", variable: "test", migrator: migrator)
        let queue = SQLiteJobQueue(pool: database.pool)
        func artifact(_ code: String, timeout: Duration) -> NewJob {
            let payload = ArtifactJob(content: code, metadata: ["kind": .string("code"), "language": .string("sh")], submitter: "tester",
                                      submittedAt: 1_765_079_700_000, requestID: "req").encoded()
            return NewJob(type: ArtifactJob.type, payload: payload, timeout: timeout)
        }
        _ = try await queue.enqueue(batch: [artifact("sleep 2", timeout: .seconds(60)), artifact("echo quick", timeout: .seconds(3))])
        let jobs = try await queue.lease(worker: "w", for: .seconds(30), limit: 2)
        try #require(jobs.count == 2)
        return (jobs[0], jobs[1])
    }

    @Test("a snippet that cannot get a slot within its job's timeout fails at once as retryable, saying why")
    func busySlotFailsEarly() async throws {
        let (slow, quick) = try await Self.leasedPair()
        // SANDBOX_TIMEOUT_MS of 2 s: the quick job's 3 s leave no time to wait once the snippet's
        // own limit and the second to spare are set aside.
        let processor = ArtifactProcessor(sanitiser: SanitiserCache(sanitiser: PromptSanitiser(maxCharacters: 5_000)),
                                          sandbox: CodeSandboxTests.sandbox(timeout: .seconds(2)), concurrentSnippets: 1, privacy: .published)
        let holder = Task { try await processor.transaction(for: slow) }
        while await processor.sandboxSlots.taken == 0 { try await Task.sleep(for: .milliseconds(10)) }

        let error = await #expect(throws: ArtifactProcessor.Retryable.self) { try await processor.transaction(for: quick) }
        #expect(error?.description.contains("the code sandbox stayed busy") == true)
        #expect(try await holder.value.ranCode, "the slot's holder finishes normally")

        let retried = try await processor.transaction(for: quick)
        #expect(retried.ranCode, "with the slot free, the same job runs")
        #expect(retried.tx.value["sandbox"]?["exitCode"] == .int(0))
    }
}
