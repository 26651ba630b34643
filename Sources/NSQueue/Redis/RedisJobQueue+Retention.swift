import Foundation
import NSRedis

extension RedisJobQueue {
    public func deleteFinished(limit: Int) async throws(JobQueueError) -> Int {
        guard limit > 0 else { return 0 }
        // A failed walk (a full Redis can refuse the marker, or the index entries of records not
        // yet due) must not stop the deletions that free memory; it is reported after them.
        var walkFailure: JobQueueError?
        do throws(JobQueueError) {
            try await indexFinishedOnce()
        } catch {
            walkFailure = error
        }
        let deleted = Int(try await run(RedisQueueScripts.deleteFinished, [RedisArgument(defaults.retentionMs), RedisArgument(Int64(limit))]).int ?? 0)
        metrics?.retentionDeleted(deleted)
        if let walkFailure, deleted == 0 { throw walkFailure }
        return deleted
    }

    /// Jobs that finished under a build without retention are in no index; the first sweep
    /// after an upgrade walks every job hash once (SCAN, so Redis is never blocked) and indexes
    /// them by finish time (on a full Redis, deleting those already past retention instead), then
    /// leaves a marker so later sweeps skip the walk. Until the marker is written, every sweep
    /// walks again.
    private func indexFinishedOnce() async throws(JobQueueError) {
        let marker = RedisArgument(prefix + "finished-indexed")
        do {
            guard try await client.command(["EXISTS", marker]).int == 0 else { return }
            var cursor = "0"
            var indexed = 0
            repeat {
                let reply = try await client.command(["SCAN", RedisArgument(cursor), "MATCH", RedisArgument(prefix + "job:*"), "COUNT", "1000"]).array ?? []
                cursor = reply.first?.string ?? "0"
                let keys = (reply.count > 1 ? reply[1].array ?? [] : []).compactMap(\.string)
                if !keys.isEmpty {
                    indexed += Int(try await run(RedisQueueScripts.indexFinished, [RedisArgument(defaults.retentionMs)] + keys.map { RedisArgument($0) }).int ?? 0)
                }
            } while cursor != "0"
            _ = try await client.command(["SET", marker, "1"])
            if indexed > 0 {
                logger.notice("finished jobs from before retention indexed for deletion", metadata: ["count": .stringConvertible(indexed)])
            }
        } catch let error as JobQueueError {
            throw error
        } catch {
            throw .unavailable("\(error)")
        }
    }

    /// The write Redis refuses exactly when it refuses enqueues (``RedisClient/probeWrites(key:value:)``),
    /// confirmed by the replicas `REDIS_MIN_REPLICAS` requires, then the memory figures.
    public func checkStore() async throws(JobQueueError) -> QueueStoreUsage {
        do throws(RedisStoreError) {
            try await client.probeWrites(key: RedisClient.storeProbeKey(prefix: prefix), value: clock.nowMs())
        } catch {
            throw .unavailable(error.description)
        }
        if runner.replication.isRequired { try await runner.confirmReplicas() }
        return try await storeUsage()
    }

    /// `used_memory` and `maxmemory` from `INFO memory`; a `maxmemory` of 0 means no limit.
    public func storeUsage() async throws(JobQueueError) -> QueueStoreUsage {
        do throws(RedisStoreError) {
            let memory = try await client.memoryUsage()
            return QueueStoreUsage(usedBytes: memory.usedBytes, limitBytes: memory.limitBytes)
        } catch {
            throw .unavailable(error.description)
        }
    }
}
