import Foundation
import NIOCore

/// A small Redis client: a pool of pipelined connections, AUTH and SELECT from the URL, a
/// deadline on every call, reconnection with backoff, and Lua scripts run by EVALSHA with a
/// fallback to EVAL when the server does not know the script (after a restart or SCRIPT FLUSH).
///
/// While a connection slot is backing off after a failure, calls on it fail at once with
/// ``RedisError/connection(_:)``, so a Redis outage makes callers fail fast instead of hanging.
public actor RedisClient {
    public let configuration: RedisConfiguration
    private var slots: [Slot]
    private var next = 0

    private struct Slot {
        var connection: RedisConnection?
        var failures = 0
        var retryAfter: ContinuousClock.Instant?
    }

    public init(configuration: RedisConfiguration) {
        self.configuration = configuration
        self.slots = Array(repeating: Slot(), count: configuration.poolSize)
    }

    /// Sends one command and returns its reply; an error reply throws ``RedisError/server(_:)``.
    public func command(_ arguments: [RedisArgument]) async throws(RedisError) -> RESPValue {
        let reply = try await pipeline([arguments])[0]  // one command, one reply
        if case .error(let message) = reply { throw .server(message) }
        return reply
    }

    /// Sends commands in one write on one connection and returns every reply in order (error
    /// replies included, as values).
    public func pipeline(_ commands: [[RedisArgument]]) async throws(RedisError) -> [RESPValue] {
        let index = next
        next = (next + 1) % slots.count
        let connection = try await connection(at: index)
        do throws(RedisError) {
            return try await connection.send(commands, deadline: configuration.commandTimeout)
        } catch {
            // After a timeout or a broken connection the reply order is unknown: start afresh.
            connection.close()
            if slots[index].connection === connection { slots[index].connection = nil }
            throw error
        }
    }

    /// Runs a Lua script: EVALSHA, then EVAL if the server answers NOSCRIPT.
    public func eval(_ script: RedisScript, keys: [String], arguments: [RedisArgument]) async throws(RedisError) -> RESPValue {
        let keyArguments: [RedisArgument] = keys.map { RedisArgument($0) }
        let tail: [RedisArgument] = [RedisArgument(Int64(keys.count))] + keyArguments + arguments
        do throws(RedisError) {
            return try await command([RedisArgument("EVALSHA"), RedisArgument(script.sha1)] + tail)
        } catch {
            guard case .server(let message) = error, message.hasPrefix("NOSCRIPT") else { throw error }
            return try await command([RedisArgument("EVAL"), RedisArgument(script.source)] + tail)
        }
    }

    /// Closes every connection.
    public func shutdown() {
        for index in slots.indices {
            slots[index].connection?.close()
            slots[index].connection = nil
        }
    }

    private func connection(at index: Int) async throws(RedisError) -> RedisConnection {
        if let existing = slots[index].connection, existing.isActive { return existing }
        if let retryAfter = slots[index].retryAfter, ContinuousClock.now < retryAfter {
            throw .connection("reconnecting after a failure; retry shortly")
        }
        do {
            let connection = try await RedisConnection.connect(configuration)
            // Another caller may have connected this slot while this one waited: keep one.
            if let other = slots[index].connection, other.isActive {
                connection.close()
                return other
            }
            slots[index] = Slot(connection: connection)
            return connection
        } catch {
            // Another caller connected this slot meanwhile: its connection stays.
            if let other = slots[index].connection, other.isActive { throw error }
            let failures = slots[index].failures + 1
            let delay = min(configuration.maxReconnectDelay, configuration.reconnectDelay * (1 << min(failures - 1, 16)))
            slots[index] = Slot(connection: nil, failures: failures, retryAfter: .now + delay)
            throw error
        }
    }
}
