import Foundation
import GRDB
import NSCore
import NSQueue
import NSTestSupport
import Testing

@Suite("nsctl jobs and queue, through vp-node's operator API")
struct NSCtlJobsTests {
    static let adminSecret = String(repeating: "ad", count: 32)

    @Test("a job forced into the DLQ is listed, shown with its history, retried by an operator, and then commits")
    func deadLetterRetry() async throws {
        let nsd = try await NSDInstance(environment: ["JWT_SECRET": ClientToken.secret, "ADMIN_JWT_SECRET": Self.adminSecret])
        let folder = try Tools.temporaryDirectory("nsctl-jobs")
        let env = ["VP_URL": nsd.url("vp-node", ""), "ADMIN_JWT_SECRET": Self.adminSecret]
        let accepted = try await Fetched.submit(nsd.url("gateway-node", ""), token: ClientToken.make(sub: "alice"), content: "retry me")
        let id = try require(accepted.json?["id"] as? String)
        let queue = SQLiteJobQueue(pool: try DatabasePool(path: nsd.dataDirectory + "/vp-node-data/queue.db"))
        let leased = try await NSCtlSubmitTests.leaseWhenQueued(queue)
        #expect(try await queue.fail(id: leased.id, worker: "e2e", message: "ns-node said 422", permanent: true) == .deadLetter)

        let listed = try await NSCtlRunner.run(["jobs", "dlq", "list", "--role", "viewer"], environment: env, directory: folder)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains(id) && listed.stdout.contains("dead_letter") && listed.stdout.contains("ns-node said 422"))
        let shown = try await NSCtlRunner.run(["jobs", "dlq", "show", id, "--role", "viewer", "--json"], environment: env, directory: folder)
        let errors = try #require(LogLine.parse(shown.stdout)?["errors"] as? [[String: Any]])
        #expect(errors.count == 1 && errors.first?["worker"] as? String == "e2e")

        let viewerRetry = try await NSCtlRunner.run(["jobs", "dlq", "retry", id, "--role", "viewer"], environment: env, directory: folder)
        #expect(viewerRetry.status == 1)
        #expect(viewerRetry.stderr.contains("HTTP 403") && viewerRetry.stderr.contains("needs the operator role"))
        let anonymous = try await Fetched.get(nsd.url("vp-node", "/v1/dlq"))
        #expect(anonymous.status == 401)

        let retried = try await NSCtlRunner.run(["jobs", "dlq", "retry", id], environment: env, directory: folder)
        #expect(retried.status == 0 && retried.stdout.contains("retried 1 job(s)"), "\(retried.stderr)")
        let status = try await NSCtlRunner.run(["jobs", "status", id, "--json"], environment: env, directory: folder)
        #expect(LogLine.parse(status.stdout)?["state"] as? String == "queued")
        #expect(LogLine.parse(status.stdout)?["attempts"] as? Int == 0)
        #expect(nsd.child.stdoutLines.contains { $0.contains("\"operator action\"") && $0.contains("\"dlq retry\"") && $0.contains("\"userId\":\"nsctl\"") })

        // The retried job now commits like any other.
        let again = try await NSCtlSubmitTests.leaseWhenQueued(queue)
        #expect(again.id == id)
        let artifact = try require(ArtifactJob(payload: again.payload))
        let tx = try LedgerTransaction.make(artifactSHA256: MerkleHash.sha256(Array(artifact.content.utf8)).hex, artifactSize: Int64(artifact.content.utf8.count),
                                            submitter: artifact.submitter, jobID: id, preview: artifact.content, timeMs: artifact.submittedAt)
        let driver = try LedgerDriver(nsd)
        #expect(try await driver.submit([tx]).status == 200)
        try await queue.complete(id: id, worker: "e2e", result: ArtifactJob.Outcome(txHash: tx.hash.hex).encoded())
        // vp-node's block producer commits it within a block interval or two.
        var ledgerStatus: String?
        for _ in 0..<100 where ledgerStatus != "committed" {
            let status = try await Fetched.get(nsd.url("gateway-node", "/api/status/\(id)"), token: ClientToken.make(sub: "alice"))
            ledgerStatus = (status.json?["ledger"] as? [String: Any])?["status"] as? String
            if ledgerStatus != "committed" { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ledgerStatus == "committed")
        #expect(await nsd.stop() == 0)
    }

    @Test("list by state, cancel, pause and resume; purge needs --yes off a terminal")
    func listCancelPausePurge() async throws {
        let nsd = try await NSDInstance(environment: ["ADMIN_JWT_SECRET": Self.adminSecret])
        let folder = try Tools.temporaryDirectory("nsctl-queue")
        let env = ["VP_URL": nsd.url("vp-node", ""), "ADMIN_JWT_SECRET": Self.adminSecret]
        let queue = SQLiteJobQueue(pool: try DatabasePool(path: nsd.dataDirectory + "/vp-node-data/queue.db"))
        let ids = try await queue.enqueue(batch: (0..<3).map { NewJob(type: "artifact", payload: Array("j\($0)".utf8)) }).map(\.id)

        let listed = try await NSCtlRunner.run(["jobs", "list", "--state", "queued", "--json"], environment: env, directory: folder)
        let jobs = try #require(LogLine.parse(listed.stdout)?["jobs"] as? [[String: Any]])
        #expect(jobs.compactMap { $0["id"] as? String } == ids)
        #expect(try await NSCtlRunner.run(["jobs", "cancel", ids[0]], environment: env, directory: folder).status == 0)
        #expect(try await queue.job(id: ids[0])?.state == .cancelled)
        let twice = try await NSCtlRunner.run(["jobs", "cancel", ids[0]], environment: env, directory: folder)
        #expect(twice.status == 1 && twice.stderr.contains("only queued or retrying jobs"))

        #expect(try await NSCtlRunner.run(["queue", "pause"], environment: env, directory: folder).status == 0)
        #expect(try await queue.isPaused())
        #expect(try await queue.lease(worker: "w", for: .seconds(5)) == nil)
        #expect(try await NSCtlRunner.run(["queue", "resume"], environment: env, directory: folder).status == 0)
        let leased = try #require(try await queue.lease(worker: "w", for: .seconds(30)))
        #expect(try await queue.fail(id: leased.id, worker: "w", message: "x", permanent: true) == .deadLetter)

        let unconfirmed = try await NSCtlRunner.run(["jobs", "dlq", "purge", "--all"], environment: env, directory: folder)
        #expect(unconfirmed.status == 1 && unconfirmed.stderr.contains("--yes"))
        #expect(try await queue.job(id: leased.id) != nil)
        let purged = try await NSCtlRunner.run(["jobs", "dlq", "purge", "--all", "--yes"], environment: env, directory: folder)
        #expect(purged.status == 0 && purged.stdout.contains("purged 1 job(s)"))
        #expect(try await queue.job(id: leased.id) == nil)
        let bad = try await NSCtlRunner.run(["jobs", "dlq", "purge", "--all", leased.id], environment: env, directory: folder)
        #expect(bad.status == 64)
        #expect(await nsd.stop() == 0)
    }
}
