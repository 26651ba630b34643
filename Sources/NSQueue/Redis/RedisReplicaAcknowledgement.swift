import NSCore
import NSRedis

/// `REDIS_MIN_REPLICAS`: a write the caller reports (an enqueue answered 202, a completion, a dead
/// letter, a DLQ retry) is followed by `WAIT replicas timeout` before it is reported.
///
/// `WAIT` counts the replicas that hold everything written *on its own connection* before it, so
/// the script and the `WAIT` go out in one pipelined write on one connection. One `WAIT` covers
/// the whole script, so the enqueues that the group commit packs into one call (every producer
/// waiting meanwhile) share it: the wait costs a replica round trip per call, not per job.
///
/// A write the replicas do not confirm in time has still happened on the master; the caller gets
/// ``JobQueueError/unavailable(_:)`` and does not report it. An enqueue retried with the same
/// unique key finds that job and is confirmed by a `WAIT` of its own (`markingOffset`); a
/// completion or failure that was not confirmed is recovered with its lease on a master that lost
/// it, and stays done on one that kept it (docs/queue.md).
extension ScriptRunner {
    /// Runs `script` as ``run(_:_:)`` does; with replicas required, returns only once enough of
    /// them confirm. `markingOffset` adds a write of the store-probe key before the `WAIT`: a
    /// script that only read (an enqueue answered from its unique key) moves the connection's
    /// replication offset nowhere, and its `WAIT` would confirm an older write instead of the
    /// job it answered with.
    func runAcknowledged(_ script: RedisScript, _ arguments: [RedisArgument], markingOffset: Bool = false) async throws(JobQueueError) -> RESPValue {
        guard replication.isRequired else { return try await run(script, arguments) }
        let now = clock.nowMs()
        let tail: [RedisArgument] = [1, RedisArgument(prefix + "seq"), RedisArgument(prefix), RedisArgument(now)] + arguments
        var commands: [[RedisArgument]] = [[RedisArgument("EVALSHA"), RedisArgument(script.sha1)] + tail]
        if markingOffset { commands.append(probeWrite(now)) }
        commands.append(waitCommand)
        var replies = try await pipeline(commands)
        if case .error(let message) = replies[0], message.hasPrefix("NOSCRIPT") {
            // Redis restarted or its scripts were flushed: nothing ran, send the source this time.
            // The WAIT sent with it ran for nothing (once per script after a restart), and waits
            // again with this one.
            commands[0] = [RedisArgument("EVAL"), RedisArgument(script.source)] + tail
            replies = try await pipeline(commands)
        }
        try confirm(replies)
        return replies[0]
    }

    /// The store check's question with replicas required: would a write be confirmed now? A write
    /// of the store-probe key and its `WAIT`, so `/health` fails while enqueues would get 503.
    func confirmReplicas() async throws(JobQueueError) {
        try confirm(try await pipeline([probeWrite(clock.nowMs()), waitCommand]))
    }

    private var waitCommand: [RedisArgument] {
        ["WAIT", RedisArgument(Int64(replication.minReplicas)), RedisArgument(Int64(replication.waitTimeout / .milliseconds(1)))]
    }

    /// The store check's key, which expires by itself: no key is left behind.
    private func probeWrite(_ now: Int64) -> [RedisArgument] {
        ["SET", RedisArgument(RedisClient.storeProbeKey(prefix: prefix)), RedisArgument(now), "PX", "60000"]
    }

    /// Throws the first error reply of the commands before the `WAIT`, then unless the `WAIT`
    /// (the last reply) counted enough replicas.
    private func confirm(_ replies: [RESPValue]) throws(JobQueueError) {
        for reply in replies.dropLast() {
            if case .error(let message) = reply { throw .unavailable(RedisError.server(message).description) }
        }
        guard let confirmed = replies.last?.int else {
            throw .unavailable("Redis answered WAIT with \(String(describing: replies.last)) instead of a replica count")
        }
        guard confirmed >= replication.minReplicas else { throw .unavailable(notConfirmed(by: confirmed)) }
    }

    /// The reason a write the replicas did not confirm is reported as failed (in the node's log).
    private func notConfirmed(by confirmed: Int64) -> String {
        "\(confirmed) of the \(replication.minReplicas) Redis replicas REDIS_MIN_REPLICAS requires confirmed the write within "
            + "\(Int64(replication.waitTimeout / .milliseconds(1))) ms (REDIS_WAIT_TIMEOUT_MS); the master holds it but a failover could lose it, "
            + "so it is not reported as done (an enqueue retried with the same unique key finds the job)"
    }

    private func pipeline(_ commands: [[RedisArgument]]) async throws(JobQueueError) -> [RESPValue] {
        let replies: [RESPValue]
        do {
            replies = try await client.pipeline(commands)
        } catch {
            throw .unavailable(error.description)
        }
        guard replies.count == commands.count else { throw .unavailable("Redis answered \(replies.count) replies for \(commands.count) commands") }
        return replies
    }
}
