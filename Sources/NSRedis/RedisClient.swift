import Foundation
import NIOCore

/// A small Redis client: a pool of pipelined connections, AUTH and SELECT from the URL, a
/// deadline on every call, reconnection with backoff, and Lua scripts run by EVALSHA with a
/// fallback to EVAL when the server does not know the script (after a restart or SCRIPT FLUSH).
///
/// While a connection slot is backing off after a failure, calls on it fail at once with
/// ``RedisError/connection(_:)``, so a Redis outage makes callers fail fast instead of hanging.
///
/// With ``RedisConfiguration/sentinel`` it finds the master through Sentinel and follows it
/// across failovers (RedisClient+Sentinel.swift, docs/queue.md "Redis Sentinel").
public actor RedisClient {
    public let configuration: RedisConfiguration
    private var slots: [Slot]
    private var next = 0
    /// Where the master is and how it is being looked for (Sentinel mode; see RedisClient+Sentinel.swift).
    var master = MasterState()

    private struct Slot {
        var connection: RedisConnection?
        /// ``MasterState/epoch`` when the connection was made: a failure on an older one says
        /// nothing about the current master.
        var epoch = 0
        var failures = 0
        var retryAfter: ContinuousClock.Instant?
    }

    public init(configuration: RedisConfiguration) {
        self.configuration = configuration
        self.slots = Array(repeating: Slot(), count: configuration.poolSize)
    }

    deinit {
        master.watcher?.cancel()
    }

    /// Sends one command and returns its reply; an error reply throws ``RedisError/server(_:)``.
    ///
    /// With Sentinel, a command refused with `READONLY` or `LOADING` (so not run) is sent once
    /// more after the master is found again; a read (``isRead(_:)``) also after its connection
    /// broke or timed out. Anything else that fails that way throws ``RedisError/connection(_:)``:
    /// it may or may not have run on the old master.
    public func command(_ arguments: [RedisArgument]) async throws(RedisError) -> RESPValue {
        try await repeatingOnce(.command(arguments), safe: Self.isRead(arguments))
    }

    /// A call that may be sent twice (``repeatingOnce(_:safe:)``).
    enum Call {
        case command([RedisArgument])
        /// A script and what follows its digest or source: the key count, the keys, the arguments.
        case script(RedisScript, tail: [RedisArgument])
    }

    func perform(_ call: Call) async throws(RedisError) -> RESPValue {
        switch call {
        case .command(let arguments):
            return try await single(arguments)
        case .script(let script, let tail):
            do throws(RedisError) {
                return try await single([RedisArgument("EVALSHA"), RedisArgument(script.sha1)] + tail)
            } catch {
                guard case .server(let message) = error, message.hasPrefix("NOSCRIPT") else { throw error }
                return try await single([RedisArgument("EVAL"), RedisArgument(script.source)] + tail)
            }
        }
    }

    private func single(_ arguments: [RedisArgument]) async throws(RedisError) -> RESPValue {
        let reply = try await send([arguments])[0]  // one command, one reply
        if case .error(let message) = reply { throw .server(message) }
        return reply
    }

    /// Sends commands in one write on one connection and returns every reply in order (error
    /// replies included, as values). Never repeated: some of the commands may have run.
    public func pipeline(_ commands: [[RedisArgument]]) async throws(RedisError) -> [RESPValue] {
        try await send(commands)
    }

    private func send(_ commands: [[RedisArgument]]) async throws(RedisError) -> [RESPValue] {
        let index = next
        next = (next + 1) % slots.count
        let connection = try await connection(at: index)
        let epoch = slots[index].epoch
        let replies: [RESPValue]
        do throws(RedisError) {
            replies = try await connection.send(commands, deadline: configuration.commandTimeout)
        } catch {
            // After a timeout or a broken connection the reply order is unknown: start afresh.
            connection.close()
            if slots[index].connection === connection { slots[index].connection = nil }
            masterFailed(epoch: epoch)
            throw error
        }
        if replies.contains(where: Self.isMasterChange) { masterFailed(epoch: epoch) }
        return replies
    }

    /// Runs a Lua script: EVALSHA, then EVAL if the server answers NOSCRIPT. With Sentinel, a
    /// script marked ``RedisScript/isIdempotent`` is sent again after a broken connection, as a read is.
    public func eval(_ script: RedisScript, keys: [String], arguments: [RedisArgument]) async throws(RedisError) -> RESPValue {
        let keyArguments: [RedisArgument] = keys.map { RedisArgument($0) }
        let tail: [RedisArgument] = [RedisArgument(Int64(keys.count))] + keyArguments + arguments
        return try await repeatingOnce(.script(script, tail: tail), safe: script.isIdempotent)
    }

    /// Closes every connection and stops following Sentinel.
    public func shutdown() {
        closeAll()
        master.watcher?.cancel()
        master.watcher = nil
    }

    /// Closes every connection and forgets each slot's backoff, so the next call connects afresh.
    func closeAll() {
        for index in slots.indices {
            slots[index].connection?.close()
            slots[index] = Slot()
        }
    }

    private func connection(at index: Int) async throws(RedisError) -> RedisConnection {
        if let existing = slots[index].connection, existing.isActive { return existing }
        if let retryAfter = slots[index].retryAfter, ContinuousClock.now < retryAfter {
            throw .connection("reconnecting after a failure; retry shortly")
        }
        let epoch = master.epoch
        // A failed search for the master throws as it is (it has its own backoff).
        let address = try await masterAddress()
        do throws(RedisError) {
            let connection = try await RedisConnection.connect(configuration, to: address)
            // Another caller may have connected this slot while this one waited, or the master
            // changed meanwhile: keep one connection, to the current master.
            if let other = slots[index].connection, other.isActive {
                connection.close()
                return other
            }
            guard epoch == master.epoch else {
                connection.close()
                throw RedisError.connection("the Redis master changed while connecting; retry shortly")
            }
            slots[index] = Slot(connection: connection, epoch: epoch)
            return connection
        } catch {
            // Another caller connected this slot meanwhile: its connection stays.
            if let other = slots[index].connection, other.isActive { throw error }
            // With Sentinel the master is looked for again, with that search's backoff.
            if configuration.sentinel != nil {
                masterFailed(epoch: epoch)
                throw error
            }
            let failures = slots[index].failures + 1
            let delay = min(configuration.maxReconnectDelay, configuration.reconnectDelay * (1 << min(failures - 1, 16)))
            slots[index] = Slot(connection: nil, failures: failures, retryAfter: .now + delay)
            throw error
        }
    }
}
