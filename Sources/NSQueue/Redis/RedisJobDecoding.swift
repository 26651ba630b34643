import Foundation
import NSRedis

/// Jobs from Redis replies. A hash stores only what is not a default (see ``RedisQueueScripts``),
/// so absent fields read as their defaults here, exactly as the scripts read them.
extension RedisJobQueue {
    /// A job from its hash (HGETALL's alternating field/value array); `nil` when the hash is empty
    /// or unreadable.
    static func decode(id: String, _ flat: [RESPValue]) -> Job? {
        guard !flat.isEmpty else { return nil }
        var fields: [String: [UInt8]] = [:]
        for pair in stride(from: 0, to: flat.count - 1, by: 2) {
            if let name = flat[pair].string, let value = flat[pair + 1].bytes { fields[name] = value }
        }
        func text(_ name: String) -> String? { fields[name].map { String(decoding: $0, as: UTF8.self) } }
        func number(_ name: String) -> Int64? { text(name).flatMap(Self.number) }
        guard let type = text("type"), let state = text("state").flatMap(JobState.init(rawValue:)) else { return nil }
        let createdAt = number("created_at") ?? 0
        let leased = state == .processing
        return Job(id: id, type: type, payload: fields["payload"] ?? [], priority: JobPriority(rank: Int(number("priority") ?? 2)) ?? .normal,
                   state: state, attempts: Int(number("attempts") ?? 0), maxAttempts: Int(number("max_attempts") ?? 0),
                   timeoutMs: number("timeout_ms") ?? 0, createdAt: createdAt, updatedAt: number("updated_at") ?? createdAt,
                   runAt: number("run_at") ?? createdAt, leaseOwner: leased ? text("lease_owner") : nil,
                   leaseExpiresAt: leased ? number("lease_expires_at") : nil, result: fields["result"],
                   errors: errors(fields["errors"]), uniqueKey: text("unique_key").flatMap { $0.isEmpty ? nil : $0 })
    }

    /// The jobs of a lease script reply: {now, lease expiry, job...}, each job in the positions the
    /// script documents. Everything the lease itself set (state, owner, expiry, update time) comes
    /// from the two leading values rather than from Redis, so the reply carries only the rest.
    static func decodeLeased(_ reply: [RESPValue], worker: String) -> [Job] {
        guard reply.count > 2, let now = reply[0].string.flatMap(Self.number), let expiry = reply[1].int else { return [] }
        return reply.dropFirst(2).compactMap { value -> Job? in
            guard let f = value.array, f.count == 12, let id = f[0].string, let type = f[1].string else { return nil }
            func number(_ index: Int) -> Int64? { f[index].int ?? f[index].string.flatMap(Self.number) }
            let createdAt = number(7) ?? now
            guard case .bulkString(let payload) = f[2] else { return nil }
            return Job(id: id, type: type, payload: payload ?? [], priority: JobPriority(rank: Int(number(3) ?? 2)) ?? .normal,
                       state: .processing, attempts: Int(number(4) ?? 1), maxAttempts: Int(number(5) ?? 0), timeoutMs: number(6) ?? 0,
                       createdAt: createdAt, updatedAt: now, runAt: number(8) ?? createdAt, leaseOwner: worker, leaseExpiresAt: expiry,
                       result: f[11].bytes, errors: errors(f[9].bytes), uniqueKey: f[10].string.flatMap { $0.isEmpty ? nil : $0 })
        }
    }

    /// Integers as Redis or Lua wrote them (Lua may write a whole number as "1.7e+12").
    private static func number(_ text: String) -> Int64? {
        Int64(text) ?? Double(text).map { Int64($0) }
    }

    private static func errors(_ bytes: [UInt8]?) -> [JobFailure] {
        guard let bytes, bytes != Array("[]".utf8) else { return [] }
        return JobFailure.history(Data(bytes), store: "Redis")
    }
}
