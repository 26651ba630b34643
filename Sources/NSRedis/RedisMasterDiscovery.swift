import NSCore

/// Finds the Redis master through Sentinel: asks the sentinels in the order configured
/// (`SENTINEL get-master-addr-by-name`), skips one that does not answer or does not know the
/// master, and takes an address only after the server there answers `ROLE` with `master`, so a
/// sentinel that has not yet seen a failover (or a demoted master still named) is not followed.
enum RedisMasterDiscovery {
    /// What one sentinel said about the master.
    struct Answer: Sendable {
        let sentinel: RedisAddress
        /// The address it names; `nil` when it did not answer or does not know the master.
        let master: RedisAddress?
        /// Why it named no master.
        let failure: String?
    }

    /// The master's verified address. Every failure is in the error, per sentinel, without secrets.
    static func find(_ configuration: RedisConfiguration) async throws(RedisError) -> RedisAddress {
        guard let sentinel = configuration.sentinel else { return configuration.fixedAddress }
        var reasons: [String] = []
        var refused: Set<RedisAddress> = []
        for address in sentinel.sentinels {
            let answer = await ask(address, configuration)
            guard let master = answer.master else {
                reasons.append("\(address): \(answer.failure ?? "no answer")")
                continue
            }
            if refused.contains(master) { continue }
            do throws(RedisError) {
                let role = try await Self.role(of: master, configuration)
                if role == "master" { return master }
                reasons.append("\(address) names \(master), which is a \(role)")
            } catch {
                reasons.append("\(address) names \(master), which fails: \(error)")
            }
            refused.insert(master)
        }
        throw .connection("no sentinel named a usable master '\(sentinel.masterName)' (\(reasons.joined(separator: "; ")))")
    }

    /// `SENTINEL get-master-addr-by-name` on one sentinel.
    static func ask(_ address: RedisAddress, _ configuration: RedisConfiguration) async -> Answer {
        let name = configuration.sentinel?.masterName ?? RedisSentinelSettings.defaultMasterName
        do throws(RedisError) {
            let reply = try await RedisSentinelCall.run(["SENTINEL", "get-master-addr-by-name", RedisArgument(name)], on: address, configuration)
            guard let parts = reply.array, parts.count == 2, let host = parts[0].string, let port = parts[1].string.flatMap({ Int($0) }) else {
                return Answer(sentinel: address, master: nil, failure: reply.isNull ? "does not know '\(name)'" : "answered an unexpected reply")
            }
            return Answer(sentinel: address, master: RedisAddress(host: host, port: port), failure: nil)
        } catch {
            return Answer(sentinel: address, master: nil, failure: error.description)
        }
    }

    /// The first element of `ROLE` on the server at `address`: `master`, `slave` or `sentinel`.
    static func role(of address: RedisAddress, _ configuration: RedisConfiguration) async throws(RedisError) -> String {
        let connection = try await RedisConnection.connect(configuration, to: address)
        defer { connection.close() }
        let reply = try await connection.send([["ROLE"]], deadline: configuration.commandTimeout)[0]  // one command, one reply
        if case .error(let message) = reply { throw .server(message) }
        guard let role = reply.array?.first?.string else { throw .protocolViolation("ROLE answered without a role") }
        return role
    }
}

/// One command on a fresh connection to a sentinel (its own password, no database), closed after.
enum RedisSentinelCall {
    static func run(_ command: [RedisArgument], on address: RedisAddress, _ configuration: RedisConfiguration) async throws(RedisError) -> RESPValue {
        let connection = try await RedisConnection.connect(configuration, to: address, handshake: configuration.sentinelHandshake)
        defer { connection.close() }
        let reply = try await connection.send([command], deadline: configuration.commandTimeout)[0]  // one command, one reply
        if case .error(let message) = reply { throw .server(message) }
        return reply
    }
}
