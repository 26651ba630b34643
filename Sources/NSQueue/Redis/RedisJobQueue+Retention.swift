import Foundation

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

    /// A `SET` with a short expiry, which Redis refuses exactly when it refuses enqueues: over
    /// `maxmemory` with `noeviction` (`OOM`), a replica (`READONLY`), a failed snapshot with
    /// `stop-writes-on-bgsave-error` (`MISCONF`).
    public func checkStore() async throws(JobQueueError) -> QueueStoreUsage {
        do throws(RedisError) {
            _ = try await client.command(["SET", RedisArgument(prefix + "store-probe"), RedisArgument(clock.nowMs()), "PX", "60000"])
        } catch {
            if case .server(let message) = error, Self.writeRefusals.contains(where: message.hasPrefix) {
                throw .unavailable("Redis refuses writes: \(message)")
            }
            throw .unavailable(error.description)
        }
        return try await storeUsage()
    }

    /// Error replies by which Redis refuses a write it would otherwise take.
    static let writeRefusals = ["OOM", "READONLY", "MISCONF", "NOREPLICAS"]

    /// `used_memory` and `maxmemory` from `INFO memory`; a `maxmemory` of 0 means no limit.
    public func storeUsage() async throws(JobQueueError) -> QueueStoreUsage {
        let text: String
        do throws(RedisError) {
            text = try await client.command(["INFO", "memory"]).string ?? ""
        } catch {
            throw .unavailable(error.description)
        }
        let fields = Self.infoFields(text)
        guard let used = fields["used_memory"].flatMap({ Int64($0) }) else {
            throw .unavailable("Redis answered INFO memory without used_memory")
        }
        let limit = fields["maxmemory"].flatMap { Int64($0) } ?? 0
        return QueueStoreUsage(usedBytes: used, limitBytes: limit > 0 ? limit : nil)
    }

    /// `name:value` lines of an `INFO` reply.
    static func infoFields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return fields
    }
}
