import Foundation
import NSQueue
import NSRedis
import NSTestSupport
import Testing

@Suite("Redis queue during an outage")
struct RedisQueueOutageTests {
    @Test("with Redis down, enqueue fails fast with a clear error; once it is back (AOF on), acknowledged jobs are there and work resumes")
    func outage() async throws {
        let folder = try Tools.temporaryDirectory("redis-aof")
        let server = try await RedisServer(appendOnlyDirectory: folder)
        let port = server.port
        let client = RedisClient(configuration: try RedisConfiguration(url: URL(string: server.url)!, poolSize: 1, commandTimeout: .seconds(120),
                                                                      reconnectDelay: .milliseconds(50), maxReconnectDelay: .milliseconds(100)))
        let queue = RedisJobQueue(client: client)
        let before = try await queue.enqueue(NewJob(type: "artifact", payload: [1]))
        await server.stop()
        let start = ContinuousClock.now
        await #expect {
            _ = try await queue.enqueue(NewJob(type: "artifact", payload: [2]))
        } throws: { error in
            guard case .unavailable(let reason) = error as? JobQueueError else { return false }
            return reason.contains("Redis is unreachable")
        }
        #expect(ContinuousClock.now - start < .seconds(30), "fails fast, not at the 120 s deadline")
        let restarted = try await RedisServer(port: port, appendOnlyDirectory: folder)
        var receipt: EnqueueReceipt?
        for _ in 0..<50 where receipt == nil {
            receipt = try? await queue.enqueue(NewJob(type: "artifact", payload: [3]))
            if receipt == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let resumed = try #require(receipt)
        #expect(resumed.id != before.id)
        #expect(try await queue.job(id: before.id)?.state == .queued, "acknowledged before the outage, kept by the AOF")
        #expect(try await queue.job(id: resumed.id)?.state == .queued)
        await client.shutdown()
        await restarted.stop()
    }
}
