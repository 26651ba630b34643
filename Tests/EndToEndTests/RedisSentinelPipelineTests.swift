import Foundation
import NSCore
import NSTestSupport
import Testing

@Suite("the pipeline on Redis found through Sentinel")
struct RedisSentinelPipelineTests {
    @Test("nsd with REDIS_SENTINELS keeps accepting across a kill -9 of the Redis master, and every submission accepted after the failover commits")
    func failover() async throws {
        let set = try await RedisFailoverSet()
        let nsd = try await NSDInstance(environment: ["JWT_SECRET": ClientToken.secret, "REDIS_SENTINELS": set.sentinelList,
                                                      "RATE_LIMIT_MAX_REQUESTS": "100000", "JOB_TIMEOUT_MS": "5000"])
        let token = ClientToken.make(sub: "failover")
        let gateway = nsd.url("gateway-node", "")
        var before: [String] = []
        var after: [String] = []
        var refused = 0
        var killed: ContinuousClock.Instant?
        var firstAfter: Duration?
        let start = ContinuousClock.now
        // Steady submissions: one second before the kill, then until three seconds of 202s after it.
        while ContinuousClock.now - start < .seconds(40) {
            if killed == nil, ContinuousClock.now - start > .seconds(1) {
                await set.master.kill9()
                killed = .now
            }
            let answer = try await Fetched.submit(gateway, token: token, content: "failover artifact \(before.count + after.count + refused)")
            switch answer.status {
            case 202:
                let id = try #require(answer.json?["id"] as? String)
                if let killed {
                    after.append(id)
                    if firstAfter == nil { firstAfter = ContinuousClock.now - killed }
                } else {
                    before.append(id)
                }
            case 503:
                refused += 1
                try await Task.sleep(for: .milliseconds(20))
            default:
                Issue.record("a submission during the failover was answered \(answer.status): \(answer.body)")
            }
            if let killed, let firstAfter, ContinuousClock.now - killed > firstAfter + .seconds(3) { break }
        }
        let recovery = try #require(firstAfter, "no submission was accepted within 40 s of the kill")
        #expect(recovery < .seconds(15), "the first 202 after the kill came \(recovery) after it")
        #expect(!before.isEmpty && after.count > 5)
        #expect(try await RedisPipelineTests.waitCommitted(gateway, ids: after, token: token) == after.count,
                "every submission accepted after the failover commits")
        // Accepted before the kill: without REDIS_MIN_REPLICAS a job Redis had not yet replicated
        // can be lost with its master (docs/queue.md); it is reported here, not asserted.
        let committedBefore = try await RedisPipelineTests.waitCommitted(gateway, ids: before, token: token)
        print("sentinel failover: \(before.count) accepted before the kill, \(before.count - committedBefore) of them lost; "
              + "first 202 \(recovery) after the kill, \(refused) answered 503 meanwhile, \(after.count) accepted after, all committed")
        #expect(await nsd.stop() == 0)
        await set.stop()
    }
}
