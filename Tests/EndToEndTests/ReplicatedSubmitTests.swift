import Foundation
import NSCore
import NSTestSupport
import Testing

@Suite("submissions with REDIS_MIN_REPLICAS=1")
struct ReplicatedSubmitTests {
    /// The `state` field of the job's hash on the Redis at `port`, through `redis-cli`.
    static func state(of id: String, port: Int) throws -> String {
        try Tools.run(try Tools.which("redis-cli"), ["-p", String(port), "HGET", "{ns}:job:\(id)", "state"]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("202 once the replica holds the job; with the replica stopped 503 with Retry-After (and /health 503), and the keyed retry after it resumes answers the same job")
    func submitWaitsForTheReplica() async throws {
        let pair = try await RedisReplicatedPair()
        // No vp-node: submitted jobs stay queued, so the queue shows exactly what the gateway created.
        let nsd = try await NSDInstance(roles: ["gateway", "ns"], environment: ["JWT_SECRET": ClientToken.secret, "REDIS_URL": pair.master.url,
                                                                              "REDIS_MIN_REPLICAS": "1", "REDIS_WAIT_TIMEOUT_MS": "500"])
        let gateway = nsd.url("gateway-node", "")
        let token = ClientToken.make(sub: "replicated")
        func submit(_ content: String, key: String? = nil) async throws -> Fetched {
            try await Fetched.post(gateway + "/api/submit", body: Array(CanonicalJSON.encode(["content": .string(content)])), token: token,
                                   headers: key.map { ["Idempotency-Key": $0] } ?? [:])
        }

        let first = try await submit("replicated before it is acknowledged")
        #expect(first.status == 202, "\(first.body)")
        let firstID = try #require(first.json?["id"] as? String)
        #expect(try Self.state(of: firstID, port: pair.replica.port) == "queued", "the replica holds the job when the 202 arrives")

        pair.pauseReplica()
        let refused = try await submit("the replica is stopped", key: "order-7")
        #expect(refused.status == 503, "\(refused.body)")
        #expect(refused.headers["retry-after"] == "1")
        #expect(refused.headers["content-type"]?.hasPrefix("application/problem+json") == true)
        let health = try await Fetched.get(nsd.url("gateway-node", "/health"))
        #expect(health.status == 503 && health.body.contains("REDIS_MIN_REPLICAS"), "the store check asks the replicas too: \(health.body)")

        pair.resumeReplica()
        let retried = try await submit("the replica is stopped", key: "order-7")
        #expect(retried.status == 202 && retried.headers["idempotent-replayed"] == "true", "\(retried.body)")
        let retriedID = try #require(retried.json?["id"] as? String)
        #expect(try Self.state(of: retriedID, port: pair.replica.port) == "queued")
        let keys = try Tools.run(try Tools.which("redis-cli"), ["-p", String(pair.master.port), "--scan", "--pattern", "{ns}:job:*"]).output
        #expect(Set(keys.split(whereSeparator: \.isNewline).map(String.init)) == ["{ns}:job:\(firstID)", "{ns}:job:\(retriedID)"],
                "one job per submission, none for the refused try: \(keys)")
        #expect(await nsd.stop() == 0)
        await pair.stop()
    }
}
