import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NSCore
import NSQueue
import Testing
@testable import NSNodes

/// vp-node's `GET /v1/jobs/{id}` (`nsctl jobs status`) for a job the queue has deleted: answered
/// from its transaction on a real ns-node, and 404 only when neither has it.
@Suite("operator job status from the ledger")
struct OperatorJobLookupTests {
    static let adminSecret = Secret(String(repeating: "5ec7e7", count: 8))

    @Test("a job gone from the queue is completed with its transaction and ledger facts; a completed one in the queue shows its txHash")
    func fallback() async throws {
        let ledger = try LiveLedgerNode()
        let gone = try LiveLedgerNode.tx(job: "job_gone", submitter: "alice", text: "gone from the queue")
        let waiting = try LiveLedgerNode.tx(job: "job_waiting", submitter: "bob", text: "not in a block yet")
        try await ledger.commit([gone])
        _ = try await ledger.store.submit([waiting])
        let viewer = try await GatewayFixture.token(sub: "ops", role: "viewer", secret: Self.adminSecret)
        let queue = try GatewayFixture().queue
        let inQueue = try await queue.enqueue(NewJob(type: ArtifactJob.type, payload: [])).id
        _ = try #require(try await queue.lease(worker: "w1", for: .seconds(30)))
        let hash = String(repeating: "cd", count: 32)
        try await queue.complete(id: inQueue, worker: "w1", result: ArtifactJob.Outcome(txHash: hash, submitter: "alice").encoded())

        try await ledger.serve { address in
            let lookup = JobLedgerLookup(nsNode: address, client: .node, timeout: .seconds(10))
            try await Self.app(queue: queue, ledger: lookup).test(.router) { client in
                func get(_ id: String) async throws -> (HTTPResponse.Status, [String: Any]?) {
                    try await client.execute(uri: "/v1/jobs/\(id)", method: .get, headers: GatewayFixture.bearer(viewer)) { ($0.status, $0.json) }
                }
                let fromLedger = try await get("job_gone")
                #expect(fromLedger.0 == .ok)
                #expect(fromLedger.1?["state"] as? String == "completed")
                #expect(fromLedger.1?["source"] as? String == "ledger")
                #expect(fromLedger.1?["txHash"] as? String == gone.hash.hex)
                #expect(fromLedger.1?["submitter"] as? String == "alice")
                let facts = fromLedger.1?["ledger"] as? [String: Any]
                #expect(facts?["status"] as? String == "committed")
                #expect(facts?["blockHeight"] as? Int == 1 && facts?["leafIndex"] as? Int == 0)

                let pending = try await get("job_waiting")
                #expect((pending.1?["ledger"] as? [String: Any])?["status"] as? String == "pending")

                let queued = try await get(inQueue)
                #expect(queued.0 == .ok)
                #expect(queued.1?["txHash"] as? String == hash)
                #expect(queued.1?["source"] == nil && queued.1?["attempts"] as? Int == 1)

                #expect(try await get("job_never").0 == .notFound)
            }
        }
        // A vp-node that was not told where ns-node is answers 404, as before.
        try await Self.app(queue: queue, ledger: nil).test(.router) { client in
            let status = try await client.execute(uri: "/v1/jobs/job_gone", method: .get, headers: GatewayFixture.bearer(viewer)) { $0.status }
            #expect(status == .notFound)
        }
    }

    static func app(queue: any JobQueue, ledger: JobLedgerLookup?) async -> some ApplicationProtocol {
        let routes = OperatorRoutes(queue: queue, verifier: await TokenVerifier(current: adminSecret, previous: nil), ledger: ledger,
                                    logger: Logger(label: "vp-node"))
        return makeNodeApp(blueprint: NodeBlueprint(checks: []) { router in routes.add(to: router) })
    }
}
