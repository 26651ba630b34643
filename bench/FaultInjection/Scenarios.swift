import Foundation
import NSCore
import NSTestSupport

/// The five fault scenarios of the "proving it holds" issue, the disaster-recovery drill and the
/// Redis high-availability scenarios (SentinelScenarios.swift), each a function returning pass/fail.
enum Scenarios {
    static let all: [String: @Sendable () async throws -> Bool] = [
        "kill-nsd": killAllInOne, "kill-vp": killOneVPNode, "redis-outage": redisOutage, "ns-outage": nsOutage, "disk-full": diskFull,
        "dr-drill": disasterRecoveryDrill, "redis-failover": redisFailover, "redis-partition": redisPartition,
    ]

    static func verdict(gateway: String, ns: String, vp: String, tokens: (client: String, operator: String)) -> Verdict {
        Verdict(client: Scenario.client, gateway: gateway, nsNode: ns, vpNode: vp, token: tokens.client, operatorToken: tokens.operator,
                nsctl: Scenario.nsctl)
    }

    /// kill -9 the all-in-one nsd five times at random moments, restarting it each time.
    static func killAllInOne() async throws -> Bool {
        let node = NodeProcess(roles: ["ns", "vp", "gateway", "admin"], dataDirectory: try Tools.temporaryDirectory("fault-kill"),
                               ports: try Scenario.ports(["ns", "vp", "gateway", "admin"]), environment: Scenario.environment)
        try await node.start()
        let tokens = try await Scenario.tokens()
        let traffic = Traffic(gateways: [node.url("gateway")], token: tokens.client, client: Scenario.client)
        let passed = try await Scenario(name: "kill-nsd", expectsUnavailable: false).run(
            traffic: traffic, verdict: verdict(gateway: node.url("gateway"), ns: node.url("ns"), vp: node.url("vp"), tokens: tokens)) {
            for round in 1...5 {
                try await Task.sleep(for: .milliseconds(Int.random(in: 800...3_000)))
                await node.kill9()
                print("  kill -9 #\(round)")
                try await node.start()
            }
        }
        await node.stop()
        return passed
    }

    /// kill -9 one of the two vp-nodes of the split deployment mid-batch; the other takes over its jobs.
    static func killOneVPNode() async throws -> Bool {
        let directory = try Tools.temporaryDirectory("fault-split")
        let base = try Tools.freePortBlock(offsets: [0, 2, 9, 12, 79, 80, 81])  // scripts/split-deployment's layout
        let script = FileManager.default.currentDirectoryPath + "/scripts/split-deployment"
        let environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "NSD": NodeProcess.nsd, "NSCTL": Scenario.nsctl, "RATE_LIMIT_MAX_REQUESTS": "10000000"]
        let up = try ChildProcess(executable: script, arguments: ["up", directory, "--base-port", String(base)], environment: environment)
        guard await up.waitForExit(timeout: .seconds(120)) == 0 else { print(up.stdout, up.stderr); return false }
        let env = try String(contentsOfFile: directory + "/.env", encoding: .utf8)
        func value(_ name: String) -> String {
            env.split(separator: "\n").first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) } ?? ""
        }
        let tokens = (client: try await TokenMinter.mint(secret: .init(value("JWT_SECRET")), subject: "fault-client", role: nil, lifetime: .seconds(3600)),
                      operator: try await TokenMinter.mint(secret: .init(value("ADMIN_JWT_SECRET")), subject: "fault-operator", role: "operator",
                                                           lifetime: .seconds(3600)))
        let gateways = ["http://127.0.0.1:\(base + 80)", "http://127.0.0.1:\(base + 81)"]
        let traffic = Traffic(gateways: gateways, token: tokens.client, interval: .milliseconds(5), client: Scenario.client)
        let passed = try await Scenario(name: "kill-vp", expectsUnavailable: false).run(
            traffic: traffic, verdict: verdict(gateway: gateways[0], ns: "http://127.0.0.1:\(base + 9)", vp: "http://127.0.0.1:\(base + 12)", tokens: tokens)) {
            let pids = try String(contentsOfFile: directory + "/pids", encoding: .utf8)
            guard let line = pids.split(separator: "\n").first(where: { $0.hasPrefix("vp1 ") }), let pid = Int32(line.split(separator: " ")[1]) else { return }
            kill(pid, SIGKILL)
            print("  kill -9 vp1 (pid \(pid)); its leased jobs wait for their lease to expire")
        }
        let down = try ChildProcess(executable: script, arguments: ["down", directory], environment: environment)
        _ = await down.waitForExit(timeout: .seconds(60))
        return passed
    }

    /// Stop Redis (the queue) for 10 s and start it again on the same port and AOF folder.
    static func redisOutage() async throws -> Bool {
        let aof = try Tools.temporaryDirectory("fault-redis")
        let redisPort = try Tools.freePort()
        var redis = try await RedisServer(port: redisPort, appendOnlyDirectory: aof)
        let node = NodeProcess(roles: ["ns", "vp", "gateway"], dataDirectory: try Tools.temporaryDirectory("fault-redis-node"),
                               ports: try Scenario.ports(["ns", "vp", "gateway"]),
                               environment: Scenario.environment.merging(["REDIS_URL": redis.url]) { $1 })
        try await node.start()
        let tokens = try await Scenario.tokens()
        let traffic = Traffic(gateways: [node.url("gateway")], token: tokens.client, client: Scenario.client)
        let passed = try await Scenario(name: "redis-outage", expectsUnavailable: true).run(
            traffic: traffic, verdict: verdict(gateway: node.url("gateway"), ns: node.url("ns"), vp: node.url("vp"), tokens: tokens)) {
            await redis.stop()
            print("  redis stopped for 10 s")
            try await Task.sleep(for: .seconds(10))
            redis = try await RedisServer(port: redisPort, appendOnlyDirectory: aof)
            print("  redis started again")
        }
        await node.stop()
        await redis.stop()
        return passed
    }

    /// Stop ns-node for 30 s while a gateway and vp-node in another process keep accepting work.
    static func nsOutage() async throws -> Bool {
        let data = try Tools.temporaryDirectory("fault-ns")
        let ns = NodeProcess(roles: ["ns"], dataDirectory: data, ports: try Scenario.ports(["ns"]), environment: Scenario.environment)
        try await ns.start()
        let front = NodeProcess(roles: ["vp", "gateway"], dataDirectory: data, ports: try Scenario.ports(["vp", "gateway"]),
                                environment: Scenario.environment.merging(["NS_NODE_URL": ns.url("ns")]) { $1 })
        try await front.start()
        let tokens = try await Scenario.tokens()
        let traffic = Traffic(gateways: [front.url("gateway")], token: tokens.client, client: Scenario.client)
        let passed = try await Scenario(name: "ns-outage", expectsUnavailable: false).run(
            traffic: traffic, verdict: verdict(gateway: front.url("gateway"), ns: ns.url("ns"), vp: front.url("vp"), tokens: tokens)) {
            await ns.stop()
            print("  ns-node stopped for 30 s")
            try await Task.sleep(for: .seconds(30))
            try await ns.start()
            print("  ns-node started again")
        }
        await front.stop()
        await ns.stop()
        return passed
    }

    /// Fill the data directory (a 48 MiB tmpfs in nsd's own mount namespace) until writes fail, then free it.
    static func diskFull() async throws -> Bool {
        let data = try Tools.temporaryDirectory("fault-disk")
        let node = NodeProcess(roles: ["ns", "vp", "gateway"], dataDirectory: data, ports: try Scenario.ports(["ns", "vp", "gateway"]),
                               environment: Scenario.environment,
                               wrapper: ["/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                                         "mount -t tmpfs -o size=48m nsd-data \"$0\" && exec \"$@\"", data])
        try await node.start()
        let tokens = try await Scenario.tokens()
        let traffic = Traffic(gateways: [node.url("gateway")], token: tokens.client, client: Scenario.client)
        let passed = try await Scenario(name: "disk-full", expectsUnavailable: true).run(
            traffic: traffic, verdict: verdict(gateway: node.url("gateway"), ns: node.url("ns"), vp: node.url("vp"), tokens: tokens)) {
            guard let pid = node.pid else { return }
            let filler = "/proc/\(pid)/root\(data)/filler"
            FileManager.default.createFile(atPath: filler, contents: nil)
            let handle = try FileHandle(forWritingAtPath: filler).unwrap("filler in nsd's mount namespace")
            let chunk = Data(count: 1 << 20)
            var written = 0
            while (try? handle.write(contentsOf: chunk)) != nil { written += 1 }
            try? handle.close()
            print("  data directory full after \(written) MiB of filler; holding it full for 8 s")
            try await Task.sleep(for: .seconds(8))
            try FileManager.default.removeItem(atPath: filler)
            print("  filler removed")
        }
        await node.stop()
        return passed
    }

    /// `scripts/dr-drill`: the data folder destroyed under load, restored from the backup, and every
    /// artifact accepted after the backup resubmitted. The script judges itself (exit 0: the chain and
    /// audit trail verify, submissions resume, nothing lost after the resubmission, nothing twice).
    static func disasterRecoveryDrill() async throws -> Bool {
        print("scenario dr-drill: running")
        let script = FileManager.default.currentDirectoryPath + "/scripts/dr-drill"
        let drill = try ChildProcess(executable: script, arguments: ["--before", "20", "--after", "10", "--resume", "5"],
                                     environment: ["PATH": "/usr/local/bin:/usr/bin:/bin", "NSD": NodeProcess.nsd, "NSCTL": Scenario.nsctl])
        var status = await drill.waitForExit(timeout: .seconds(600))
        if status == nil {
            drill.signal(SIGTERM)  // the script's trap stops what it started and removes its folder
            status = await drill.waitForExit(timeout: .seconds(60))
        }
        print(drill.stdout, drill.stderr, separator: "")
        let passed = status == 0
        print("scenario dr-drill: \(passed ? "PASS" : "FAIL (exit \(status.map(String.init) ?? "none: timed out"))")")
        return passed
    }
}

extension Optional {
    func unwrap(_ what: String) throws -> Wrapped {
        guard let self else { throw ChildProcessError.notFound(what) }
        return self
    }
}
