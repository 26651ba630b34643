import Foundation
import GRDB
import NSQueue
import NSRedis
import NSTestSupport
import Testing

@Suite("job queue store checks")
struct QueueStoreCheckTests {
    @Test("a healthy store takes the probe's write and reports its size", arguments: Backend.allCases)
    func healthy(backend: Backend) async throws {
        let subject = try await backend.make()
        _ = try await subject.queue.enqueue(job())
        let usage = try await subject.queue.checkStore()
        #expect(usage.usedBytes > 0)
        switch backend {
        case .sqlite: #expect((usage.limitBytes ?? 0) > usage.usedBytes)
        case .redis: #expect(usage.limitBytes == nil)  // no maxmemory set
        }
        #expect(try await subject.queue.storeUsage().usedBytes > 0)
        await subject.stop()
    }

    @Test("Redis over maxmemory with noeviction: the check fails naming OOM, as every enqueue does; the size is still read")
    func redisOutOfMemory() async throws {
        let subject = try await Backend.redis.make(redisSettings: ["--maxmemory", "8mb", "--maxmemory-policy", "noeviction",
                                                                   "--enable-debug-command", "local"])
        let queue = subject.queue
        let redis = try #require(subject.redis)
        #expect(try await queue.checkStore().limitBytes == 8 << 20)
        _ = try await redis.command(["DEBUG", "POPULATE", "100000", "filler", "128"])
        await #expect {
            _ = try await queue.checkStore()
        } throws: { error in
            guard case .unavailable(let reason) = error as? JobQueueError else { return false }
            return reason.hasPrefix("Redis refuses writes: OOM")
        }
        await #expect(throws: JobQueueError.self) { _ = try await queue.enqueue(job()) }
        let usage = try await queue.storeUsage()
        #expect(usage.usedBytes > 8 << 20 && (usage.percentUsed ?? 0) > 100)
        await subject.stop()
    }

    @Test("Redis demoted to a replica: the check fails naming READONLY")
    func redisReadOnly() async throws {
        let subject = try await Backend.redis.make()
        let redis = try #require(subject.redis)
        _ = try await redis.command(["REPLICAOF", "127.0.0.1", RedisArgument(Int64(try Tools.freePort()))])
        await #expect {
            _ = try await subject.queue.checkStore()
        } throws: { error in
            guard case .unavailable(let reason) = error as? JobQueueError else { return false }
            return reason.hasPrefix("Redis refuses writes: READONLY")
        }
        await subject.stop()
    }

    @Test("Redis whose snapshot failed (its disk full, stop-writes-on-bgsave-error): the check fails naming MISCONF")
    func redisSnapshotFailed() async throws {
        let tmpfs = try Tmpfs(at: try Tools.temporaryDirectory("redis-tmpfs"), size: "1m")
        defer { tmpfs.unmount() }
        let disk = tmpfs.path
        // stop-writes-on-bgsave-error applies only when a save point is set; uncompressed, the RDB
        // of the filler below is larger than the disk.
        let subject = try await Backend.redis.make(redisSettings: ["--dir", disk, "--save", "3600 1", "--stop-writes-on-bgsave-error", "yes", "--rdbcompression", "no",
                                                                   "--enable-debug-command", "local"])
        let redis = try #require(subject.redis)
        _ = try await redis.command(["DEBUG", "POPULATE", "20000", "filler", "128"])  // an RDB of a few MiB: more than the disk holds
        _ = try await redis.command(["BGSAVE"])
        var failed = false
        for _ in 0..<100 where !failed {
            failed = (try await redis.command(["INFO", "persistence"]).string ?? "").contains("rdb_last_bgsave_status:err")
            if !failed { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(failed, "the snapshot should fail on a 1 MiB disk")
        await #expect {
            _ = try await subject.queue.checkStore()
        } throws: { error in
            guard case .unavailable(let reason) = error as? JobQueueError else { return false }
            return reason.hasPrefix("Redis refuses writes: MISCONF")
        }
        await subject.stop()
    }

    @Test("SQLite on a full disk (a real tmpfs, filled): the check fails naming the full disk")
    func sqliteDiskFull() async throws {
        let tmpfs = try Tmpfs(at: try Tools.temporaryDirectory("queue-tmpfs"), size: "24m")
        defer { tmpfs.unmount() }
        let mount = tmpfs.path
        var migrator = DatabaseMigrator()
        SQLiteQueueSchema.register(in: &migrator)
        let pool = try DatabasePool(path: mount + "/queue.db")
        try migrator.migrate(pool)
        let queue = SQLiteJobQueue(pool: pool)
        _ = try await queue.enqueue(job())
        let before = try await queue.checkStore()
        #expect(before.limitBytes.map { $0 > 20 << 20 } == true)

        try tmpfs.fill()

        await #expect {
            _ = try await queue.checkStore()
        } throws: { error in
            guard case .unavailable(let reason) = error as? JobQueueError else { return false }
            return reason.contains("is full")
        }
        try FileManager.default.removeItem(atPath: tmpfs.fillerPath)
        #expect(try await queue.checkStore().usedBytes > 0)
        try pool.close()
    }
}
