import Foundation
import NSCore
import NSQueue
import NSRedis
import NSTestSupport
import Testing

@Suite("Redis queue across a Sentinel failover")
struct RedisSentinelFailoverTests {
    @Test("kill -9 of the master: Sentinel promotes the replica, the client follows, and enqueue, lease and complete work again within seconds")
    func followsPromotedReplica() async throws {
        let set = try await RedisFailoverSet()
        let replica = try #require(set.replica)
        let sentinels = set.sentinels.map { RedisAddress(host: "127.0.0.1", port: $0.port) }
        let client = RedisClient(configuration: try RedisConfiguration(sentinel: RedisSentinelSettings(sentinels: sentinels), credentials: nil,
                                                                      poolSize: 2, connectTimeout: .milliseconds(500), commandTimeout: .seconds(2),
                                                                      reconnectDelay: .milliseconds(50)))
        let queue = RedisJobQueue(client: client)
        let before = try await queue.enqueue(NewJob(type: "artifact", payload: [1]))
        // Replicated before the kill: what this test follows is the client, not asynchronous replication.
        #expect(try await client.command(["WAIT", "1", "1000"]).int == 1)

        await set.master.kill9()
        let killed = ContinuousClock.now
        var receipt: EnqueueReceipt?
        while receipt == nil, ContinuousClock.now - killed < .seconds(30) {
            do {
                receipt = try await queue.enqueue(NewJob(type: "artifact", payload: [2]))
            } catch {
                // While the sentinels fail over, the queue answers that Redis is unavailable (the gateway's 503).
                #expect(error is JobQueueError, "\(error)")
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let after = try #require(receipt, "no enqueue succeeded within 30 s of the kill")
        let recovery = ContinuousClock.now - killed
        #expect(recovery < .seconds(15), "followed the failover in \(recovery)")
        #expect(await client.currentMaster?.port == replica.port)

        let leased = try await queue.lease(worker: "w1", for: .seconds(30), limit: 10)
        #expect(Set(leased.map(\.id)) == [before.id, after.id], "the job replicated before the kill survived it")
        let lost = try await queue.complete(leased.map { JobCompletion(id: $0.id, worker: "w1", result: Array("done".utf8)) })
        #expect(lost.isEmpty)
        #expect(try await queue.job(id: after.id)?.state == .completed)
        await client.shutdown()
        await set.stop()
    }
}
