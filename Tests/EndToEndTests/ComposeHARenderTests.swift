import Foundation
import NSTestSupport
import Testing

/// The HA Redis variant `nsctl compose render` writes (docker-compose.ha.yml): checked by
/// docker-compose, read for what the variant promises, and its Redis settings and sentinel
/// configuration run by real redis-server processes (data servers and a sentinel).
@Suite("nsctl compose render: the HA Redis variant")
struct ComposeHARenderTests {
    static let sentinels = ["redis-sentinel-1", "redis-sentinel-2", "redis-sentinel-3"]

    @Test("docker-compose accepts it: the sentinels monitor the master's address with quorum 2, the servers refuse unreplicated writes, the queue's nodes find the master through the sentinels")
    func composeFile() async throws {
        let config = try await Self.config()
        let services = try #require(config["services"] as? [String: [String: Any]])
        #expect(Set(services.keys) == Set(ComposeRenderTests.services + ["redis-replica"] + Self.sentinels))
        let redis = try #require(services["redis"])
        let masterAddress = try #require(Self.address(redis))
        let master = Self.command(redis)
        for setting in ["--appendonly yes", "--maxmemory 2gb", "--maxmemory-policy noeviction", "--min-replicas-to-write 1", "--min-replicas-max-lag 10"] {
            #expect(master.contains(setting), "redis: \(master)")
        }
        let replica = try #require(services["redis-replica"])
        #expect(Self.command(replica).contains("replicaof \(masterAddress) 6379"), "\(Self.command(replica))")
        #expect(Self.command(replica).contains("--min-replicas-to-write 1") && Self.command(replica).contains("--maxmemory-policy noeviction"),
                "a promoted replica keeps the rules")
        let volumes = Set((config["volumes"] as? [String: Any] ?? [:]).keys)
        #expect(volumes.isSuperset(of: ["redis-data", "redis-replica-data"] + Self.sentinels.map { $0 + "-data" }), "\(volumes)")

        var sentinelAddresses: Set<String> = []
        for name in Self.sentinels {
            let sentinel = try #require(services[name])
            let command = Self.command(sentinel)
            #expect(command.contains("sentinel monitor neuroswarm \(masterAddress) 6379 2"), "\(name): \(command)")
            #expect(command.contains("redis-server /data/sentinel.conf --sentinel"), "\(name)")
            #expect(sentinel["image"] as? String == redis["image"] as? String)
            sentinelAddresses.insert(try #require(Self.address(sentinel)))
        }
        #expect(sentinelAddresses.count == 3)

        let clients = services.filter { ($0.value["environment"] as? [String: Any])?["REDIS_SENTINELS"] != nil }
        #expect(Set(clients.keys) == ["gateway-node", "vp-node"])
        for (name, service) in clients {
            let environment = service["environment"] as? [String: Any] ?? [:]
            #expect(environment["REDIS_SENTINELS"] as? String == Self.sentinels.map { $0 + ":26379" }.joined(separator: ","), "\(name)")
            #expect(environment["REDIS_MASTER_NAME"] as? String == "neuroswarm", "\(name)")
            #expect(environment["REDIS_MIN_REPLICAS"] as? String == "1", "\(name)")
            #expect(Set((service["depends_on"] as? [String: Any] ?? [:]).keys).isSuperset(of: Self.sentinels), "\(name)")
        }
    }

    @Test("real Redis processes run the rendered settings: the master refuses a write until its replica is attached, and a sentinel with the rendered configuration names the master")
    func renderedSettingsRun() async throws {
        let services = try #require(try await Self.config()["services"] as? [String: [String: Any]])
        let redis = try #require(services["redis"])
        let settings = try #require(Self.command(redis).components(separatedBy: "redis-server /data/redis.conf ").last)
            .split(separator: " ").map(String.init)
        let master = try await RedisServer(appendOnlyDirectory: try Tools.temporaryDirectory("ha-master"), settings: settings)
        let refused = try Tools.run(try Tools.which("redis-cli"), ["-p", String(master.port), "SET", "job", "1"])
        #expect(refused.output.contains("NOREPLICAS"), "\(refused.output)")
        let replica = try await RedisServer(appendOnlyDirectory: try Tools.temporaryDirectory("ha-replica"),
                                            settings: settings + ["--replicaof", "127.0.0.1", String(master.port)])
        var accepted = ""
        for _ in 0..<100 {
            accepted = try Tools.run(try Tools.which("redis-cli"), ["-p", String(master.port), "SET", "job", "1"]).output
            if accepted.contains("OK") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(accepted.contains("OK"), "\(accepted)")

        // The first sentinel's configuration, pointed at the real master on a free port.
        let masterAddress = try #require(Self.address(redis))
        let lines = Self.command(try #require(services["redis-sentinel-1"])).matches(of: /echo '([^']*)'/).map { String($0.output.1) }
        #expect(lines.count >= 4, "\(lines)")
        let sentinelPort = try Tools.freePort()
        let folder = try Tools.temporaryDirectory("ha-sentinel")
        let text = lines.map { line in
            line.replacingOccurrences(of: "port 26379", with: "port \(sentinelPort)")
                .replacingOccurrences(of: "\(masterAddress) 6379", with: "127.0.0.1 \(master.port)")
        }.joined(separator: "\n") + "\n"
        try text.write(toFile: folder + "/sentinel.conf", atomically: true, encoding: .utf8)
        // As the compose command starts it: redis-server in sentinel mode.
        let sentinel = try ChildProcess(executable: try Tools.which("redis-server"), arguments: [folder + "/sentinel.conf", "--sentinel"], environment: [:])
        var answer = ""
        for _ in 0..<100 {
            answer = try Tools.run(try Tools.which("redis-cli"), ["-p", String(sentinelPort), "SENTINEL", "get-master-addr-by-name", "neuroswarm"]).output
            if answer.contains(String(master.port)) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(answer.split(separator: "\n").map(String.init) == ["127.0.0.1", String(master.port)], "\(answer)")
        let state = try Tools.run(try Tools.which("redis-cli"), ["-p", String(sentinelPort), "SENTINEL", "master", "neuroswarm"]).output
            .split(separator: "\n").map(String.init)
        #expect(state.firstIndex(of: "quorum").map { state[$0 + 1] } == "2", "\(state)")
        sentinel.signal(SIGTERM)
        _ = await sentinel.waitForExit(timeout: .seconds(10))
        await replica.stop()
        await master.stop()
    }

    static func config() async throws -> [String: Any] {
        let compose = try ComposeRenderTests.tool("docker-compose")
        let folder = try await ComposeRenderTests.render()
        try ComposeRenderTests.writeDummySecrets(ComposeRenderTests.secretNames.map { $0.lowercased() }, in: folder)
        let file = folder + "/docker-compose.ha.yml"
        let quiet = try await ComposeRenderTests.run(compose, ["-f", file, "config", "-q"])
        #expect(quiet.status == 0, "\(quiet.stderr)")
        return try await ComposeRenderTests.composeConfig(compose, file: file)
    }

    static func command(_ service: [String: Any]) -> String {
        (service["command"] as? [String] ?? []).joined(separator: " ")
    }

    static func address(_ service: [String: Any]) -> String? {
        (service["networks"] as? [String: [String: Any]])?["neuroswarm-network"]?["ipv4_address"] as? String
    }
}
