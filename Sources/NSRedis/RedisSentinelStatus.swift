import NSCore

/// What the sentinels and the master say about a Sentinel deployment, for `nsctl health`: which
/// master they name, how many agree, whether they can reach their quorum (`SENTINEL ckquorum`),
/// and the replicas the master reports (`INFO replication`).
public struct RedisSentinelStatus: Sendable {
    /// One replica as the master sees it.
    public struct Replica: Sendable, Equatable {
        public let address: String
        /// `online` once the initial sync is done.
        public let state: String
        /// Seconds since the replica last acknowledged the stream.
        public let lagSeconds: Int?

        /// Online and acknowledging within ``RedisSentinelStatus/maxInSyncLagSeconds``.
        public var inSync: Bool { state == "online" && (lagSeconds ?? Int.max) <= RedisSentinelStatus.maxInSyncLagSeconds }
    }

    /// A replica that acknowledged more than this many seconds ago is not counted in sync.
    public static let maxInSyncLagSeconds = 10

    /// How many sentinels were asked.
    public var sentinelCount: Int
    /// The master the sentinels named that answers `ROLE` as master; `nil` when none did.
    public var master: RedisAddress?
    /// Why no master was found (every sentinel's answer).
    public var masterFailure: String?
    /// Sentinels that named ``master``.
    public var agreeing: Int
    /// The sentinels' configured quorum (`SENTINEL master`), when a sentinel answered it.
    public var quorum: Int?
    /// `SENTINEL ckquorum`'s answer from the first sentinel that gave one, and whether it is `OK`.
    public var quorumCheck: (reachable: Bool, message: String)?
    public var replicas: [Replica]

    public var replicasInSync: Int { replicas.filter(\.inSync).count }

    /// Asks every sentinel, verifies the master they name with `ROLE`, and reads its replicas.
    /// Never throws: what could not be learnt is missing from the result.
    public static func gather(_ configuration: RedisConfiguration) async -> RedisSentinelStatus {
        let sentinels = configuration.sentinel?.sentinels ?? []
        var answers: [RedisMasterDiscovery.Answer] = []
        for address in sentinels { answers.append(await RedisMasterDiscovery.ask(address, configuration)) }
        var status = RedisSentinelStatus(sentinelCount: sentinels.count, master: nil, masterFailure: nil, agreeing: 0, quorum: nil,
                                         quorumCheck: nil, replicas: [])
        do throws(RedisError) {
            let master = try await RedisMasterDiscovery.find(configuration)
            status.master = master
            status.agreeing = answers.filter { $0.master == master }.count
            status.replicas = try await replicas(of: master, configuration)
        } catch {
            if status.master == nil { status.masterFailure = error.description }
        }
        let name = RedisArgument(configuration.sentinel?.masterName ?? RedisSentinelSettings.defaultMasterName)
        for address in sentinels where status.quorum == nil || status.quorumCheck == nil {
            if status.quorum == nil, let fields = try? await RedisSentinelCall.run(["SENTINEL", "master", name], on: address, configuration).array {
                // A sentinel that does not answer is already counted out by `agreeing`.
                status.quorum = quorum(in: fields)
            }
            guard status.quorumCheck == nil else { continue }
            do throws(RedisError) {
                let reply = try await RedisSentinelCall.run(["SENTINEL", "ckquorum", name], on: address, configuration)
                status.quorumCheck = (true, reply.string ?? "OK")
            } catch {
                status.quorumCheck = (false, error.description)
            }
        }
        return status
    }

    private static func quorum(in fields: [RESPValue]) -> Int? {
        stride(from: 0, to: fields.count - 1, by: 2).first { fields[$0].string == "quorum" }.flatMap { fields[$0 + 1].string }.flatMap { Int($0) }
    }

    /// `slaveN:ip=...,port=...,state=online,offset=...,lag=0` lines of the master's `INFO replication`.
    static func replicas(of master: RedisAddress, _ configuration: RedisConfiguration) async throws(RedisError) -> [Replica] {
        let connection = try await RedisConnection.connect(configuration, to: master)
        defer { connection.close() }
        let reply = try await connection.send([["INFO", "replication"]], deadline: configuration.commandTimeout)[0]  // one command, one reply
        if case .error(let message) = reply { throw .server(message) }
        let fields = RedisClient.infoFields(reply.string ?? "")
        return fields.keys.filter { $0.hasPrefix("slave") && Int($0.dropFirst(5)) != nil }.sorted().compactMap { key in
            var values: [String: String] = [:]
            for pair in (fields[key] ?? "").split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
            }
            guard let ip = values["ip"], let port = values["port"] else { return nil }
            return Replica(address: "\(ip):\(port)", state: values["state"] ?? "unknown", lagSeconds: values["lag"].flatMap { Int($0) })
        }
    }
}
