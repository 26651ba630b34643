import NSCore

/// Following the master through Sentinel: find it before connecting, forget it when it fails
/// (a `READONLY` or `LOADING` answer, a broken or timed-out connection, `+switch-master`), and
/// find it again, with a bounded backoff between rounds of asking that find none.
extension RedisClient {
    /// The client's view of the master. Single-server clients only count ``epoch``.
    struct MasterState {
        /// The verified master; `nil` until found and after it failed.
        var address: RedisAddress?
        /// Raised each time the master is forgotten, so connections made before are told apart.
        var epoch = 0
        /// The round of asking the sentinels that callers are waiting for.
        var discovery: Task<Result<RedisAddress, RedisError>, Never>?
        var failedRounds = 0
        var retryAfter: ContinuousClock.Instant?
        /// The `+switch-master` subscription, started with the first call.
        var watcher: Task<Void, Never>?
    }

    /// The master this client uses now (Sentinel), or its one server; `nil` while it looks.
    public var currentMaster: RedisAddress? {
        configuration.sentinel == nil ? configuration.fixedAddress : master.address
    }

    /// The address to connect to: the one server, or the master Sentinel names (asking when unknown).
    func masterAddress() async throws(RedisError) -> RedisAddress {
        guard configuration.sentinel != nil else { return configuration.fixedAddress }
        if master.watcher == nil { startWatching() }
        if let address = master.address { return address }
        if let discovery = master.discovery { return try await discovery.value.get() }
        if let retryAfter = master.retryAfter, ContinuousClock.now < retryAfter {
            throw .connection("no Redis master found through Sentinel yet; retry shortly")
        }
        let configuration = configuration
        let discovery = Task<Result<RedisAddress, RedisError>, Never> {
            do throws(RedisError) {
                return .success(try await RedisMasterDiscovery.find(configuration))
            } catch {
                return .failure(error)
            }
        }
        master.discovery = discovery
        let epoch = master.epoch
        let result = await discovery.value
        master.discovery = nil
        switch result {
        case .success(let address):
            // A switch announced while asking makes this answer stale: the next call asks again.
            if epoch == master.epoch { master.address = address }
            master.failedRounds = 0
            master.retryAfter = nil
        case .failure:
            master.failedRounds += 1
            let delay = min(configuration.maxRediscoveryDelay, configuration.reconnectDelay * (1 << min(master.failedRounds - 1, 16)))
            master.retryAfter = .now + delay
        }
        return try result.get()
    }

    /// Forgets the master after a call on a connection made in `epoch` failed as a master change
    /// would: every connection closes and the next call asks the sentinels again. A failure on a
    /// connection older than the current master, or without Sentinel, changes nothing.
    func masterFailed(epoch: Int) {
        guard configuration.sentinel != nil, epoch == master.epoch else { return }
        master.epoch += 1
        master.address = nil
        closeAll()
    }

    /// `+switch-master` for this client's master name: ask again at once, without backoff.
    /// Returns `true` to keep watching.
    func masterSwitched(to address: RedisAddress) -> Bool {
        guard master.address != address else { return true }
        masterFailed(epoch: master.epoch)
        master.retryAfter = nil
        master.failedRounds = 0
        return true
    }

    private func startWatching() {
        let configuration = configuration
        master.watcher = Task { [weak self] in
            await RedisSwitchWatcher.run(configuration) { [weak self] address in
                guard let self else { return false }
                return await self.masterSwitched(to: address)
            }
        }
    }

    /// Runs `call`; with Sentinel, once more when it failed because the master it used failed
    /// (so the master is looked for again) and sending it again is safe: always after
    /// `READONLY`/`LOADING` (the server refused it, so it did not run), and after a broken or
    /// timed-out connection only when `safe`. A call that failed because no master is known is
    /// not repeated: the search's own reason is the answer.
    func repeatingOnce(_ call: Call, safe: Bool) async throws(RedisError) -> RESPValue {
        let epoch = master.epoch
        do throws(RedisError) {
            return try await perform(call)
        } catch {
            guard configuration.sentinel != nil, master.epoch != epoch, Self.mayRepeat(after: error, safe: safe) else { throw error }
            return try await perform(call)
        }
    }

    /// Matched here rather than in the catch clause: a pattern over the caught typed error
    /// crashes the Swift 6.3 compiler (as RedisSnapshot notes).
    private static func mayRepeat(after error: RedisError, safe: Bool) -> Bool {
        switch error {
        case .server(let message): isMasterChange(.error(message))
        case .connection, .timeout: safe
        case .protocolViolation: false
        }
    }

    /// An error reply by which a server says it is not (or not yet) a usable master.
    static func isMasterChange(_ reply: RESPValue) -> Bool {
        guard case .error(let message) = reply else { return false }
        return message.hasPrefix("READONLY") || message.hasPrefix("LOADING")
    }

    /// Commands that only read, which may be sent again after their connection broke.
    static let readCommands: Set<String> = [
        "GET", "MGET", "EXISTS", "TTL", "PTTL", "TYPE", "STRLEN", "HGET", "HMGET", "HGETALL", "HLEN", "HEXISTS",
        "LLEN", "LRANGE", "SCARD", "SMEMBERS", "SISMEMBER", "ZCARD", "ZCOUNT", "ZSCORE", "ZRANGE", "ZRANGEBYSCORE",
        "ZRANK", "SCAN", "HSCAN", "ZSCAN", "INFO", "PING", "ROLE", "TIME", "DBSIZE",
    ]

    static func isRead(_ arguments: [RedisArgument]) -> Bool {
        guard let name = arguments.first else { return false }
        return readCommands.contains(String(decoding: name.bytes, as: UTF8.self).uppercased())
    }
}
