import Foundation
import GRDB
import NSCore
import NSQueue
import NSTestSupport
import Testing

@Suite("finished jobs leave the queue; their outcome stays findable through the ledger")
struct RetentionTests {
    @Test("JOB_RETENTION_MS=500: vp-node's sweep deletes a completed job's record, yet its status (with the ledger facts), its proof and nsctl jobs status still answer; the owner rule holds")
    func statusAfterRetention() async throws {
        let data = try Tools.temporaryDirectory("retention")
        let nsd = try await NSDInstance(environment: [
            "JWT_SECRET": ClientToken.secret, "ADMIN_JWT_SECRET": NSCtlJobsTests.adminSecret, "JOB_RETENTION_MS": "500",
        ], dataDirectory: data)
        let gateway = nsd.url("gateway-node", "")
        let alice = ClientToken.make(sub: "alice")
        let accepted = try await Fetched.submit(gateway, token: alice, content: "anchored, then forgotten by the queue")
        #expect(accepted.status == 202)
        let id = try #require(accepted.json?["id"] as? String)

        var status: Fetched?
        #expect(try await NSCtlJobsTests.waitFor {
            status = try await Fetched.get(gateway + "/api/status/\(id)", token: alice)
            return (status?.json?["ledger"] as? [String: Any])?["status"] as? String == "committed"
        })
        // Once the sweep has run, the queue holds no record of it, and the answer comes from the ledger.
        let queue = try sharedQueue(data + "/vp-node-data/queue.db")
        #expect(try await NSCtlJobsTests.waitFor { try await queue.job(id: id) == nil })
        #expect(try await queue.counts().total(.completed) == 0)
        status = try await Fetched.get(gateway + "/api/status/\(id)", token: alice)
        #expect(status?.status == 200)
        let answer = try #require(status?.json)
        #expect(answer["id"] as? String == id && answer["state"] as? String == "completed")
        #expect((answer["txHash"] as? String)?.count == 64)
        let ledger = try #require(answer["ledger"] as? [String: Any])
        #expect(ledger["blockHeight"] as? Int ?? 0 >= 1 && ledger["leafIndex"] is Int)
        #expect(ledger["proofUrl"] as? String == "/api/status/\(id)/proof")
        #expect(try await Fetched.get(gateway + "/api/status/\(id)/proof", token: alice).status == 200)

        #expect(try await Fetched.get(gateway + "/api/status/\(id)", token: ClientToken.make(sub: "mallory")).status == 403)
        #expect(try await Fetched.get(gateway + "/api/status/job_0000000000aaaaaaaaaaaaaaaa", token: alice).status == 404)

        let folder = try Tools.temporaryDirectory("retention-cwd")
        let shown = try await NSCtlRunner.run(["jobs", "status", id, "--json"], environment: [
            "VP_URL": nsd.url("vp-node", ""), "ADMIN_JWT_SECRET": NSCtlJobsTests.adminSecret,
        ], directory: folder)
        #expect(shown.status == 0, "\(shown.stderr)")
        let job = try #require(LogLine.parse(shown.stdout))
        #expect(job["state"] as? String == "completed" && job["txHash"] as? String == answer["txHash"] as? String, "\(shown.stdout)")

        let metrics = try await Fetched.get(nsd.url("vp-node", "/metrics")).body
        #expect(metrics.contains("ns_jobs_retention_deleted_total 1\n"), "\(metrics)")
        #expect(await nsd.stop() == 0)
    }

    @Test("an Idempotency-Key replayed after its job completed and left the queue: the same artifact gets the first id, another is 409")
    func idempotencyAfterRetention() async throws {
        let data = try Tools.temporaryDirectory("retention-idem")
        let nsd = try await NSDInstance(environment: ["JWT_SECRET": ClientToken.secret, "JOB_RETENTION_MS": "0"], dataDirectory: data)
        let gateway = nsd.url("gateway-node", "")
        let token = ClientToken.make(sub: "alice")
        func submit(_ content: String) async throws -> Fetched {
            try await Fetched.post(gateway + "/api/submit", body: Array(CanonicalJSON.encode(["content": .string(content), "metadata": ["n": 1]])),
                                   token: token, headers: ["Idempotency-Key": "order-42"])
        }
        let first = try await submit("the first artifact")
        #expect(first.status == 202)
        let id = try #require(first.json?["id"] as? String)
        #expect(try await NSCtlJobsTests.waitFor {
            let status = try await Fetched.get(gateway + "/api/status/\(id)", token: token)
            return (status.json?["ledger"] as? [String: Any])?["status"] as? String == "committed"
        })
        #expect(try await sharedQueue(data + "/vp-node-data/queue.db").job(id: id) == nil, "retention 0: the record is gone")

        let replay = try await submit("the first artifact")
        #expect(replay.status == 202 && replay.json?["id"] as? String == id && replay.headers["idempotent-replayed"] == "true", "\(replay.body)")
        let other = try await submit("a different artifact")
        #expect(other.status == 409, "\(other.body)")
        #expect(await nsd.stop() == 0)
    }
}
