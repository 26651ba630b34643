import Foundation
import NSTestSupport
import Testing

@Suite("nsd hosts the nodes", .serialized)
struct HostingTests {
    @Test("`nsd run` serves /health and /metrics on all four nodes and stops cleanly on SIGTERM")
    func allInOne() async throws {
        let nsd = try await NSDInstance()
        for service in ["gateway-node", "ns-node", "vp-node", "admin-node"] {
            let health = try await Fetched.get(nsd.url(service, "/health"))
            #expect(health.status == 200, "\(service): \(health.body)")
            #expect(health.json?["service"] as? String == service)
            #expect(health.json?["status"] as? String == "ok")
            let metrics = try await Fetched.get(nsd.url(service, "/metrics"))
            #expect(metrics.status == 200)
            #expect(metrics.body.contains("ns_build_info{node=\"\(service)\""))
        }
        let checks = try await Fetched.get(nsd.url("gateway-node", "/health")).json?["checks"] as? [String: Any]
        #expect(Set(checks?.keys.map { $0 } ?? []) == ["ns-node", "queue"])
        let folders = try FileManager.default.contentsOfDirectory(atPath: nsd.dataDirectory).sorted()
        #expect(folders == ["admin-jwt-secret", "admin-node-data", "internal-token", "jwt-secret", "ledger-submitter-key", "ns-node-data", "session-secret", "vp-node-data"])
        for secretFile in ["internal-token", "jwt-secret", "admin-jwt-secret", "session-secret", "ledger-submitter-key", "ns-node-data/checkpoint.key", "vp-node-data/producer.key"] {
            let mode = try FileManager.default.attributesOfItem(atPath: nsd.dataDirectory + "/" + secretFile)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(secretFile) must be private")
        }
        #expect(FileManager.default.fileExists(atPath: nsd.dataDirectory + "/ns-node-data/neuroswarm_chain.db"))
        #expect(await nsd.stop() == 0)
        #expect(nsd.child.stdoutLines.compactMap(LogLine.parse).contains { $0["message"] as? String == "stopped" })
    }

    @Test("--role starts only the named nodes")
    func roleSubset() async throws {
        let nsd = try await NSDInstance(roles: ["ns", "vp"])
        #expect(Set(nsd.ports.keys) == ["ns-node", "vp-node"])
        let health = try await Fetched.get(nsd.url("vp-node", "/health"))
        #expect(health.status == 200, "\(health.body)")
        #expect((health.json?["checks"] as? [String: Any])?["ns-node"] != nil)
        #expect(!FileManager.default.fileExists(atPath: nsd.dataDirectory + "/admin-node-data"))
        #expect(await nsd.stop() == 0)
        #expect(Set(NSDInstance.listening(nsd.child.stdoutLines).keys) == ["ns-node", "vp-node"])
    }

    @Test("SIGTERM during a slow request: the listener closes, the request completes, exit 0")
    func gracefulShutdown() async throws {
        let ledger = try await NSDInstance(roles: ["ns"])
        let nsURL = "http://127.0.0.1:\(ledger.ports["ns-node"] ?? 0)"
        let gateway = try await NSDInstance(roles: ["gateway"], environment: ["NS_NODE_URL": nsURL, "HEALTH_CHECK_TIMEOUT_MS": "20000"])
        let gatewayPort = try #require(gateway.ports["gateway-node"])

        // Freeze ns-node so the gateway's /health (which calls it) stays in flight.
        ledger.child.signal(SIGSTOP)
        let inFlight = Task { try await Fetched.get(gateway.url("gateway-node", "/health")) }
        try await Task.sleep(for: .milliseconds(500))
        gateway.child.signal(SIGTERM)
        try await Task.sleep(for: .milliseconds(500))
        #expect(!Tools.canConnect(port: gatewayPort), "the listener should be closed once shutdown began")
        #expect(gateway.child.isRunning, "the gateway must wait for its in-flight request")

        ledger.child.signal(SIGCONT)
        let answer = try await inFlight.value
        #expect(answer.status == 200, "\(answer.body)")
        #expect(answer.json?["status"] as? String == "ok")
        #expect(await gateway.child.waitForExit(timeout: .seconds(20)) == 0)
        #expect(await ledger.stop() == 0)
    }

    @Test("`nsd --version` and `nsd --help`")
    func versionAndHelp() async throws {
        let version = try ChildProcess(executable: try NSDInstance.binary(), arguments: ["--version"], environment: NSDInstance.environment([:]))
        #expect(await version.waitForExit() == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
        let help = try ChildProcess(executable: try NSDInstance.binary(), arguments: ["run", "--help"], environment: NSDInstance.environment([:]))
        #expect(await help.waitForExit() == 0)
        for flag in ["--role", "--data-dir", "--port", "--env-file", "SHUTDOWN_TIMEOUT_MS"] {
            #expect(help.stdout.contains(flag), "help should explain \(flag)")
        }
    }
}
