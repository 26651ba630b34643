import Foundation
import Hummingbird
import HummingbirdTesting
import NSCore
import NSNodes
import NSQueue
import Testing

@Suite("gateway status")
struct StatusRoutesTests {
    @Test("owners and admins see a job, other users get 403, unknown ids 503 without ns-node; failures and results are reported")
    func visibilityAndProgress() async throws {
        let fixture = try GatewayFixture()
        let alice = try await GatewayFixture.token(sub: "alice")
        let bob = try await GatewayFixture.token(sub: "bob")
        let admin = try await GatewayFixture.token(sub: "ops", role: "admin")
        try await fixture.app().test(.router) { client in
            let id = try await client.execute(uri: "/api/submit", method: .post, headers: GatewayFixture.json(alice),
                                              body: ByteBuffer(string: #"{"content":"mine"}"#)) { try #require($0.json?["id"] as? String) }
            func status(_ token: String, _ path: String = "/api/status/\(id)") async throws -> (HTTPResponse.Status, [String: Any]?) {
                try await client.execute(uri: path, method: .get, headers: GatewayFixture.bearer(token)) { ($0.status, $0.json) }
            }
            let own = try await status(alice)
            #expect(own.0 == .ok)
            #expect(own.1?["state"] as? String == "queued")
            #expect(own.1?["attempts"] as? Int == 0)
            #expect((own.1?["createdAt"] as? String)?.hasSuffix("Z") == true)
            #expect(try await status(bob).0 == .forbidden)
            #expect(try await status(admin).0 == .ok)
            // Not in the queue: only ns-node, which nobody runs here, could say whether it existed
            // (StatusRetentionTests has the 404 from a real one).
            #expect(try await status(alice, "/api/status/job_unknown").0 == .serviceUnavailable)

            let lease = try #require(try await fixture.queue.lease(worker: "w1", for: .seconds(30)))
            #expect(try await fixture.queue.fail(id: lease.id, worker: "w1", message: "sandbox crashed", permanent: false) == .retry)
            let retrying = try await status(alice)
            #expect(retrying.1?["state"] as? String == "retry")
            #expect((retrying.1?["lastError"] as? [String: Any])?["message"] as? String == "sandbox crashed")
            #expect(retrying.1?["nextAttemptAt"] != nil)

            try await fixture.queue.setPaused(false)
            var leased: Job?
            for _ in 0..<40 where leased == nil {  // the retry backoff is 1 s at most with jitter
                leased = try await fixture.queue.lease(worker: "w2", for: .seconds(30))
                if leased == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            let again = try #require(leased)
            let hash = String(repeating: "ab", count: 32)
            // As the worker completes it: the result names the submitter, since the payload goes.
            try await fixture.queue.complete(id: again.id, worker: "w2", result: ArtifactJob.Outcome(txHash: hash, submitter: "alice").encoded())
            let done = try await status(alice)
            #expect(done.1?["state"] as? String == "completed")
            #expect(done.1?["txHash"] as? String == hash)
            // Nobody listens at the configured ns-node: the job's state is still answered.
            #expect((done.1?["ledger"] as? [String: Any])?["status"] as? String == "unknown")
            let proof = try await status(alice, "/api/status/\(id)/proof")
            #expect(proof.0 == .serviceUnavailable)
        }
    }
}
