import Foundation
import Hummingbird
import HummingbirdTesting
import NSCore
import NSNodes
import NSQueue
import Testing

/// The gateway's status of a job whose queue record is gone (retention) or whose payload is
/// (completed): the ledger, through a real ns-node, still answers for it and still names its owner.
@Suite("gateway status from the ledger")
struct StatusRetentionTests {
    @Test("a job the queue no longer holds is answered from the ledger: its owner and admins see it, others get 403, unknown ids 404")
    func absentFromQueue() async throws {
        let ledger = try LiveLedgerNode()
        let gone = try LiveLedgerNode.tx(job: "job_gone", submitter: "alice", text: "gone from the queue")
        try await ledger.commit([try LiveLedgerNode.tx(job: "job_bobs", submitter: "bob", text: "bob's"), gone])
        _ = try await ledger.store.submit([try LiveLedgerNode.tx(job: "job_waiting", submitter: "alice", text: "not in a block yet")])
        let alice = try await GatewayFixture.token(sub: "alice")
        let bob = try await GatewayFixture.token(sub: "bob")
        let admin = try await GatewayFixture.token(sub: "ops", role: "admin")
        try await ledger.serve { address in
            let fixture = try GatewayFixture(nsNode: address)
            try await fixture.app().test(.router) { client in
                func get(_ token: String, _ path: String) async throws -> (HTTPResponse.Status, [String: Any]?) {
                    try await client.execute(uri: path, method: .get, headers: GatewayFixture.bearer(token)) { ($0.status, $0.json) }
                }
                let own = try await get(alice, "/api/status/job_gone")
                #expect(own.0 == .ok)
                #expect(own.1?["id"] as? String == "job_gone")
                #expect(own.1?["state"] as? String == "completed")
                #expect(own.1?["txHash"] as? String == gone.hash.hex)
                let facts = own.1?["ledger"] as? [String: Any]
                #expect(facts?["status"] as? String == "committed")
                #expect(facts?["blockHeight"] as? Int == 1)
                #expect(facts?["leafIndex"] as? Int == 1)
                #expect(facts?["proofUrl"] as? String == "/api/status/job_gone/proof")
                let proof = try await get(alice, "/api/status/job_gone/proof")
                #expect(proof.0 == .ok)
                #expect(proof.1?["leafIndex"] as? Int == 1)

                #expect(try await get(bob, "/api/status/job_gone").0 == .forbidden)
                #expect(try await get(bob, "/api/status/job_gone/proof").0 == .forbidden)
                #expect(try await get(admin, "/api/status/job_gone").0 == .ok)
                #expect(try await get(bob, "/api/status/job_bobs").0 == .ok)

                let waiting = try await get(alice, "/api/status/job_waiting")
                #expect(waiting.0 == .ok)
                #expect((waiting.1?["ledger"] as? [String: Any])?["status"] as? String == "pending")
                #expect((waiting.1?["ledger"] as? [String: Any])?["proofUrl"] == nil)
                #expect(try await get(alice, "/api/status/job_waiting/proof").0 == .notFound)

                for never in ["job_never", "not.a.job.id"] {
                    try await client.execute(uri: "/api/status/\(never)", method: .get, headers: GatewayFixture.bearer(alice)) { response in
                        #expect(response.status == .notFound)
                        #expect(response.problem?.detail == "no submission \(never)")
                    }
                }
            }
        }
    }

    @Test("a completed job without its payload belongs to the submitter its result records, or else to its transaction's")
    func completedWithoutPayload() async throws {
        let ledger = try LiveLedgerNode()
        let alice = try await GatewayFixture.token(sub: "alice")
        let bob = try await GatewayFixture.token(sub: "bob")
        try await ledger.serve { address in
            let fixture = try GatewayFixture(nsNode: address)
            // As the queue keeps completed jobs: no payload. One result names its submitter; one
            // (written before results did) does not, and its transaction does.
            let recorded = try await Self.complete(fixture.queue) { _ in ArtifactJob.Outcome(txHash: String(repeating: "ab", count: 32), submitter: "alice") }
            let older = try await Self.complete(fixture.queue) { id in
                let tx = try LiveLedgerNode.tx(job: id, submitter: "alice", text: "older result")
                try await ledger.commit([tx])
                return ArtifactJob.Outcome(txHash: tx.hash.hex)
            }
            try await fixture.app().test(.router) { client in
                for id in [recorded, older] {
                    let own = try await client.execute(uri: "/api/status/\(id)", method: .get, headers: GatewayFixture.bearer(alice)) { ($0.status, $0.json) }
                    #expect(own.0 == .ok, "\(id)")
                    #expect(own.1?["state"] as? String == "completed")
                    #expect(own.1?["attempts"] as? Int == 1, "the queue's record is what answers")
                    let other = try await client.execute(uri: "/api/status/\(id)", method: .get, headers: GatewayFixture.bearer(bob)) { $0.status }
                    #expect(other == .forbidden, "\(id)")
                }
            }
        }
    }

    @Test("with ns-node unreachable, a job the queue does not hold is 503, since nothing can tell whether it existed")
    func ledgerUnreachable() async throws {
        let fixture = try GatewayFixture()  // ns-node at a port nobody listens on
        let alice = try await GatewayFixture.token(sub: "alice")
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/status/job_gone", method: .get, headers: GatewayFixture.bearer(alice)) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] != nil)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }

    /// Enqueues an artifact job with an empty payload, leases it and completes it with `outcome`'s
    /// result (given the job id); returns the id.
    private static func complete(_ queue: SQLiteJobQueue, outcome: (String) async throws -> ArtifactJob.Outcome) async throws -> String {
        let id = try await queue.enqueue(NewJob(type: ArtifactJob.type, payload: [])).id
        let job = try #require(try await queue.lease(worker: "w1", for: .seconds(30)))
        #expect(job.id == id)
        try await queue.complete(id: id, worker: "w1", result: try await outcome(id).encoded())
        return id
    }
}
