import Crypto
import Foundation
import GRDB
import NSCore
import NSQueue
import NSTestSupport
import Testing

/// HS256 tokens assembled from the JWT spec, as an outside client would make them.
enum ClientToken {
    static let secret = String(repeating: "5ec7e7", count: 8)

    static func make(sub: String, secret: String = secret, expiresIn: Int = 600) -> String {
        let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let exp = Int(Date().timeIntervalSince1970) + expiresIn
        let payload = Base64URL.encode(Array(#"{"sub":"\#(sub)","exp":\#(exp)}"#.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(header).\(payload)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return "\(header).\(payload).\(Base64URL.encode(Array(mac)))"
    }
}

extension Fetched {
    static func submit(_ base: String, token: String, content: String) async throws -> Fetched {
        try await post(base + "/api/submit", body: Array(CanonicalJSON.encode(["content": .string(content)])), token: token)
    }

    static func get(_ url: String, token: String) async throws -> Fetched {
        try await get(url, headers: ["Authorization": "Bearer \(token)"])
    }
}

@Suite("the gateway in a running nsd")
struct GatewayTests {
    @Test("a submitted artifact's status follows it into a block, with the inclusion proof")
    func statusToBlock() async throws {
        // No vp-node: this test produces the block itself, after checking the "pending" state.
        let nsd = try await NSDInstance(roles: ["gateway", "ns"], environment: ["JWT_SECRET": ClientToken.secret])
        let token = ClientToken.make(sub: "alice")
        let gateway = nsd.url("gateway-node", "")
        let content = "the artifact that ends in a block"
        let accepted = try await Fetched.submit(gateway, token: token, content: content)
        #expect(accepted.status == 202)
        let id = try require(accepted.json?["id"] as? String)

        // Work the job as vp-node will: lease it from the shared queue file, send its tx, produce a block.
        let queue = try sharedQueue(nsd.dataDirectory + "/vp-node-data/queue.db")
        let job = try require(try await queue.lease(worker: "e2e-worker", for: .seconds(30)), "the queued job")
        #expect(job.id == id)
        let artifact = try require(ArtifactJob(payload: job.payload), "an artifact payload")
        #expect(artifact.content == content && artifact.submitter == "alice")
        let bytes = Array(artifact.content.utf8)
        let tx = try LedgerTransaction.make(artifactSHA256: MerkleHash.sha256(bytes).hex, artifactSize: Int64(bytes.count),
                                            submitter: artifact.submitter, jobID: job.id, preview: artifact.content, timeMs: artifact.submittedAt)
        let driver = try LedgerDriver(nsd)
        #expect(try await driver.submit([tx]).status == 200)
        try await queue.complete(id: job.id, worker: "e2e-worker", result: ArtifactJob.Outcome(txHash: tx.hash.hex, submitter: artifact.submitter).encoded())

        let pending = try await Fetched.get(nsd.url("gateway-node", "/api/status/\(id)"), token: token)
        #expect(pending.json?["state"] as? String == "completed")
        #expect((pending.json?["ledger"] as? [String: Any])?["status"] as? String == "pending")
        #expect(try await Fetched.get(nsd.url("gateway-node", "/api/status/\(id)/proof"), token: token).status == 404)

        #expect(try await driver.produce([tx]).status == 201)
        let committed = try await Fetched.get(nsd.url("gateway-node", "/api/status/\(id)"), token: token)
        #expect(committed.json?["txHash"] as? String == tx.hash.hex)
        let ledger = try require(committed.json?["ledger"] as? [String: Any], "ledger facts")
        #expect(ledger["status"] as? String == "committed")
        #expect(ledger["blockHeight"] as? Int == 1)
        let proofURL = try require(ledger["proofUrl"] as? String, "a proof link")
        let proof = try await Fetched.get(nsd.url("gateway-node", proofURL), token: token)
        #expect(proof.status == 200)
        #expect(proof.json?["leafIndex"] as? Int == ledger["leafIndex"] as? Int)
        #expect(proof.json?["rootHash"] is String)
        #expect(try await Fetched.get(nsd.url("gateway-node", "/api/status/\(id)"), token: ClientToken.make(sub: "mallory")).status == 403)
        #expect(await nsd.stop() == 0)
        // The access log line of the submission, as in the seeds' example.
        let submitted = nsd.child.stdoutLines.compactMap(LogLine.parse).first {
            $0["service"] as? String == "gateway-node" && $0["message"] as? String == "request" && $0["route"] as? String == "/api/submit"
        }
        let line = try require(submitted, "the access-log line of POST /api/submit")
        #expect(line["userId"] as? String == "alice")
        #expect(line["artifactSize"] as? Int == content.utf8.count)
        #expect(line["status"] as? Int == 202)
        #expect((line["correlationId"] as? String)?.isEmpty == false)
        #expect(line["durationMs"] is Double || line["durationMs"] is Int)
    }

    @Test("two gateways on one Redis share the rate limit and the queue; with Redis down they answer 503 with Retry-After")
    func sharedRedis() async throws {
        let redis = try await RedisServer()
        let environment = ["JWT_SECRET": ClientToken.secret, "REDIS_URL": redis.url, "RATE_LIMIT_MAX_REQUESTS": "4",
                           "NS_NODE_URL": "http://127.0.0.1:9", "NS_CHECK_RETRIES": "0"]
        let first = try await NSDInstance(roles: ["gateway"], environment: environment)
        let second = try await NSDInstance(roles: ["gateway"], environment: environment)
        let token = ClientToken.make(sub: "alice")
        let bases = [first.url("gateway-node", ""), second.url("gateway-node", "")]

        let accepted = try await Fetched.submit(bases[0], token: token, content: "queued in redis")
        #expect(accepted.status == 202)
        let id = try require(accepted.json?["id"] as? String)
        var statuses: [Int] = []
        for index in 0..<4 {
            statuses.append(try await Fetched.get(bases[(index + 1) % 2] + "/api/status/\(id)", token: token).status)
        }
        // One submission and three reads use the limit of 4 for alice across both instances.
        #expect(statuses == [200, 200, 200, 429])
        let refused = try await Fetched.get(bases[0] + "/api/status/\(id)", token: token)
        #expect(refused.status == 429)
        #expect(refused.headers["retry-after"].flatMap(Int.init) != nil)
        #expect(refused.headers["ratelimit-remaining"] == "0")

        await redis.stop()
        let start = ContinuousClock.now
        let down = try await Fetched.submit(bases[1], token: ClientToken.make(sub: "bob"), content: "nowhere to go")
        #expect(down.status == 503)
        #expect(down.headers["retry-after"] != nil)
        #expect(ContinuousClock.now - start < .seconds(30), "a dead queue must not hang the client")
        #expect(await first.stop() == 0)
        #expect(await second.stop() == 0)
    }

    @Test("NS_CHECK_EXIT_ON_FAIL=true: a gateway whose ns-node never answers exits 1 after NS_CHECK_RETRIES")
    func startupCheck() async throws {
        let data = try Tools.temporaryDirectory("nsd-check")
        let child = try ChildProcess(executable: try NSDInstance.binary(), arguments: ["run", "--role", "gateway", "--data-dir", data, "--gateway-port", "0"],
                                     environment: NSDInstance.environment(["JWT_SECRET": ClientToken.secret, "NS_NODE_URL": "http://127.0.0.1:9",
                                                                           "NS_CHECK_RETRIES": "1", "NS_CHECK_EXIT_ON_FAIL": "true"]),
                                     directory: data)
        #expect(await child.waitForExit(timeout: .seconds(60)) == 1)
        let attempts = child.stdoutLines.compactMap(LogLine.parse).filter { $0["message"] as? String == "ns-node did not answer the start-up check" }
        #expect(attempts.count == 2)
    }
}
