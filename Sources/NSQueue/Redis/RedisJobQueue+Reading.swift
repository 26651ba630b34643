import Foundation
import NSRedis

extension RedisJobQueue {
    public func counts() async throws(JobQueueError) -> QueueCounts {
        let reply = try await run(RedisQueueScripts.counts, [RedisArgument(Int64(JobPriority.allCases.map(\.rank).max() ?? 0))]).array ?? []
        let fields = reply.first?.array ?? []
        var counts = QueueCounts()
        for pair in stride(from: 0, to: fields.count - 1, by: 2) {
            let parts = (fields[pair].string ?? "").split(separator: ":")
            guard parts.count == 2, let state = JobState(rawValue: String(parts[0])), let rank = Int(parts[1]),
                  let priority = JobPriority(rank: rank), let value = Int(fields[pair + 1].string ?? ""), value > 0 else { continue }
            counts.byState[state, default: [:]][priority] = value
        }
        if reply.count == 2, let created = reply[1].int {
            counts.oldestQueuedAgeMs = max(0, clock.nowMs() - created)
        }
        return counts
    }

    public func deadLetters(type: String?, limit: Int, after: String?) async throws(JobQueueError) -> [Job] {
        do {
            var minimum = "-inf"
            if let after, let seq = try await client.command(["HGET", RedisArgument(prefix + "job:" + after), "seq"]).string {
                minimum = "(" + seq
            }
            let ids = try await client.command(["ZRANGEBYSCORE", RedisArgument(prefix + "dead"), RedisArgument(minimum), "+inf"]).array ?? []
            var jobs: [Job] = []
            for id in ids.compactMap(\.string) where jobs.count < max(1, min(limit, 1_000)) {
                if let job = try await job(id: id), type == nil || job.type == type { jobs.append(job) }
            }
            return jobs
        } catch let error as JobQueueError {
            throw error
        } catch {
            throw .unavailable("\(error)")
        }
    }

    public func jobs(in state: JobState, limit: Int, after: String?) async throws(JobQueueError) -> [Job] {
        let limit = max(1, min(limit, 1_000))
        // `ready` holds queued jobs and retries whose time has come but that no lease has taken
        // yet; `ordered` keeps the ones in `state`.
        let indexes: [String] = switch state {
        case .queued: ["ready"]
        case .processing: ["processing"]
        case .retry: ["delayed", "ready"]
        case .deadLetter: ["dead"]
        case .completed, .cancelled: ["finished"]
        }
        do {
            var keys: [String] = []
            for index in indexes {
                keys += (try await client.command(["ZRANGE", RedisArgument(prefix + index), "0", "-1"]).array ?? []).compactMap(\.string).map { prefix + "job:" + $0 }
            }
            var ids = try await ordered(keys, in: state)
            if let after, let position = ids.firstIndex(of: after) { ids.removeFirst(position + 1) }
            var jobs: [Job] = []
            for id in ids.prefix(limit) {
                if let job = try await job(id: id) { jobs.append(job) }
            }
            return jobs
        } catch let error as JobQueueError {
            throw error
        } catch {
            throw .unavailable("\(error)")
        }
    }

    /// The ids of the jobs among `keys` that are in `state`, in enqueue order (their `seq`).
    private func ordered(_ keys: [String], in state: JobState) async throws -> [String] {
        var found: [(seq: Int64, id: String)] = []
        for chunk in stride(from: 0, to: keys.count, by: 500).map({ Array(keys[$0..<min($0 + 500, keys.count)]) }) {
            let fields = try await client.pipeline(chunk.map { [RedisArgument("HMGET"), RedisArgument($0), "state", "seq"] })
            for (key, value) in zip(chunk, fields) {
                let pair = value.array ?? []
                guard pair.count == 2, pair[0].string == state.rawValue, let seq = pair[1].string.flatMap({ Int64($0) }) else { continue }
                found.append((seq, String(key.dropFirst(prefix.count + "job:".count))))
            }
        }
        return found.sorted { $0.seq < $1.seq }.map(\.id)
    }

    public func retryDeadLetters(_ selection: DeadLetterSelection) async throws(JobQueueError) -> Int {
        Int(try await runAcknowledged(RedisQueueScripts.deadLetters, ["retry"] + Self.arguments(selection)).int ?? 0)
    }

    public func purgeDeadLetters(_ selection: DeadLetterSelection) async throws(JobQueueError) -> Int {
        Int(try await runAcknowledged(RedisQueueScripts.deadLetters, ["purge"] + Self.arguments(selection)).int ?? 0)
    }

    static func arguments(_ selection: DeadLetterSelection) -> [RedisArgument] {
        switch selection {
        case .ids(let ids): ["ids", ""] + ids.map { RedisArgument($0) }
        case .all(let type): ["all", RedisArgument(type ?? "")]
        case .olderThan(let time): ["older", RedisArgument(time)]
        }
    }
}

extension RedisQueueScripts {
    /// ARGV: P, now, highest priority rank. Returns {the `counts` hash as HGETALL gives it, the
    /// `created_at` of the oldest job in state `queued` or nil}. Each priority's band of `ready` is in `seq` order, which follows
    /// creation, so its first queued entry is its oldest; the entries skipped before it are retries
    /// whose time has come, which the next lease hands out first.
    static let counts = RedisScript(prelude + """
        local oldest = false
        for prio = 0, tonumber(ARGV[3]) do
          local low = score(prio, 0)
          local offset, found, ids = 0, false, {}
          repeat
            ids = redis.call('ZRANGEBYSCORE', P .. 'ready', low, low + 1099511627775, 'LIMIT', offset, 100)
            for _, id in ipairs(ids) do
              local f = redis.call('HMGET', P .. 'job:' .. id, 'state', 'created_at')
              if f[1] == 'queued' then
                found = tonumber(f[2])
                break
              end
            end
            offset = offset + #ids
          until found or #ids < 100
          if found and (not oldest or found < oldest) then oldest = found end
        end
        return {redis.call('HGETALL', P .. 'counts'), oldest}
        """)
}
