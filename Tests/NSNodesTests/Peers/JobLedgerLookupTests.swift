import Foundation
import Hummingbird
import NSCore
import NSNodeClient
import Testing
@testable import NSNodes

/// ns-node's `GET /v1/jobs/{jobId}/tx` over real HTTP, and the client the gateway and vp-node
/// ask it through once a job's queue record is gone.
@Suite("ledger lookup by job id over HTTP")
struct JobLedgerLookupTests {
    @Test("committed: the shape of GET /v1/tx; pending: pending true without a block; unknown 404; malformed ids 400")
    func route() async throws {
        let ledger = try LiveLedgerNode()
        let committed = try LiveLedgerNode.tx(job: "job_done", submitter: "alice", text: "anchored")
        let waiting = try LiveLedgerNode.tx(job: "job_waiting", submitter: "alice", text: "waiting")
        try await ledger.commit([try LiveLedgerNode.tx(job: "job_first", submitter: "bob", text: "first"), committed])
        _ = try await ledger.store.submit([waiting])
        try await ledger.serve { address in
            let base = try await address.url()
            func get(_ path: String) async throws -> (status: Int, json: [String: Any]?) {
                let reply = try await NodeClient.node.send(NodeRequest(node: "ns-node", base: base, path: path, timeout: .seconds(10), requestID: "test"))
                // A body that is not a JSON object reads as nil, which the expectations then report.
                return (reply.status, try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])
            }
            let byJob = try await get("/v1/jobs/job_done/tx")
            let byHash = try await get("/v1/tx/\(committed.hash.hex)")
            #expect(byJob.status == 200)
            #expect(byJob.json?["txHash"] as? String == committed.hash.hex)
            #expect(byJob.json?["blockHeight"] as? Int == 1 && byJob.json?["leafIndex"] as? Int == 1)
            #expect(Set(byJob.json?.keys.map { $0 } ?? []) == Set(byHash.json?.keys.map { $0 } ?? []))
            #expect(byJob.json?["leaf"] as? String == byHash.json?["leaf"] as? String)
            #expect((byJob.json?["tx"] as? [String: Any])?["jobId"] as? String == "job_done")

            let pending = try await get("/v1/jobs/job_waiting/tx")
            #expect(pending.status == 200)
            #expect(pending.json?["pending"] as? Bool == true)
            #expect(pending.json?["txHash"] as? String == waiting.hash.hex)
            #expect(pending.json?["blockHeight"] == nil && pending.json?["leafIndex"] == nil)
            #expect((pending.json?["tx"] as? [String: Any])?["submitter"] as? String == "alice")

            let unknown = try await get("/v1/jobs/job_never/tx")
            #expect(unknown.status == 404)
            #expect(unknown.json?["status"] as? Int == 404)
            for bad in ["job.dot", String(repeating: "j", count: 129), "job%20space"] {
                #expect(try await get("/v1/jobs/\(bad)/tx").status == 400, "\(bad)")
            }
        }
    }

    @Test("the client reads committed and pending records, nil for unknown or impossible ids, and 503 when ns-node is away")
    func client() async throws {
        let ledger = try LiveLedgerNode()
        let committed = try LiveLedgerNode.tx(job: "job_done", submitter: "alice", text: "anchored")
        let waiting = try LiveLedgerNode.tx(job: "job_waiting", submitter: "bob", text: "waiting")
        try await ledger.commit([committed])
        _ = try await ledger.store.submit([waiting])
        try await ledger.serve { address in
            let lookup = JobLedgerLookup(nsNode: address, client: .node, timeout: .seconds(10))
            let done = try await lookup.record(jobID: "job_done", requestID: "test")
            #expect(done == .init(txHash: committed.hash.hex, submitter: "alice", blockHeight: 1, leafIndex: 0,
                                  artifactSHA256: committed.artifactSHA256, metadata: committed.value["metadata"]))
            let pending = try await lookup.record(jobID: "job_waiting", requestID: "test")
            #expect(pending == .init(txHash: waiting.hash.hex, submitter: "bob", blockHeight: nil, leafIndex: nil,
                                     artifactSHA256: waiting.artifactSHA256, metadata: waiting.value["metadata"]))
            let never = try await lookup.record(jobID: "job_never", requestID: "test")
            #expect(never == nil)
            let impossible = try await lookup.record(jobID: "not a job id", requestID: "test")
            #expect(impossible == nil)
        }
        // Nobody listens on port 9: nothing can say whether the job existed.
        let away = JobLedgerLookup(nsNode: PeerAddress(url: URL(string: "http://127.0.0.1:9")!), client: .nodeFailingFast, timeout: .seconds(5))
        await #expect(throws: JobLedgerLookup.unavailable) { try await away.record(jobID: "job_done", requestID: "test") }
        // Another writer's transaction (an audit anchor) is no one's job: not even asked for.
        #expect(try await away.record(jobID: "audit-head-admin-node", requestID: "test") == nil)
    }
}
