/// Whether Redis takes writes and how full it is: the queue's store check and `nsctl health`
/// (and `nsctl backup`'s `INFO persistence` read) ask the same questions of the same server, so
/// they ask them here.
extension RedisClient {
    /// Error replies by which Redis refuses a write it would otherwise take.
    public static let writeRefusals = ["OOM", "READONLY", "MISCONF", "NOREPLICAS"]

    /// The key a job queue's store check writes under its key `prefix` (`{namespace}:`, so the key
    /// lives in the queue's hash slot). The queue and `nsctl health` both write this one key, so
    /// checking never leaves another key behind.
    public static func storeProbeKey(prefix: String) -> String { prefix + "store-probe" }

    /// A `SET` of `key` with a one-minute expiry, which Redis refuses exactly when it refuses
    /// enqueues: over `maxmemory` with `noeviction` (`OOM`), a replica (`READONLY`), a failed
    /// snapshot with `stop-writes-on-bgsave-error` (`MISCONF`).
    public func probeWrites(key: String, value: Int64) async throws(RedisStoreError) {
        do throws(RedisError) {
            _ = try await command(["SET", RedisArgument(key), RedisArgument(value), "PX", "60000"])
        } catch {
            if case .server(let message) = error, Self.writeRefusals.contains(where: message.hasPrefix) {
                throw .refusesWrites(message)
            }
            throw .redis(error)
        }
    }

    /// `used_memory` and `maxmemory` from `INFO memory`; a `maxmemory` of 0 means no limit.
    public func memoryUsage() async throws(RedisStoreError) -> RedisMemoryUsage {
        let fields: [String: String]
        do throws(RedisError) {
            fields = try await info("memory")
        } catch {
            throw .redis(error)
        }
        guard let used = fields["used_memory"].flatMap({ Int64($0) }) else { throw .noMemoryFigures }
        let limit = fields["maxmemory"].flatMap { Int64($0) } ?? 0
        return RedisMemoryUsage(usedBytes: used, limitBytes: limit > 0 ? limit : nil)
    }

    /// The `name:value` lines of `INFO section`.
    public func info(_ section: String) async throws(RedisError) -> [String: String] {
        Self.infoFields(try await command(["INFO", RedisArgument(section)]).string ?? "")
    }

    /// `name:value` lines of an `INFO` reply; section headers (`# Memory`) are skipped.
    public static func infoFields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return fields
    }
}

/// Redis memory as `INFO memory` reports it.
public struct RedisMemoryUsage: Sendable, Equatable {
    /// `used_memory`.
    public var usedBytes: Int64
    /// `maxmemory`; `nil` when unset (Redis grows until the host runs out).
    public var limitBytes: Int64?
}

/// Why Redis cannot serve as a store right now; the description is the reason an operator reads.
public enum RedisStoreError: Error, Sendable, CustomStringConvertible {
    /// Redis answered a write with one of ``RedisClient/writeRefusals`` (the message says which).
    case refusesWrites(String)
    /// `INFO memory` came back without `used_memory`.
    case noMemoryFigures
    case redis(RedisError)

    public var description: String {
        switch self {
        case .refusesWrites(let message): "Redis refuses writes: \(message)"
        case .noMemoryFigures: "Redis answered INFO memory without used_memory"
        case .redis(let error): error.description
        }
    }
}
