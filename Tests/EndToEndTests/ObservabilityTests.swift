import Foundation
import NSTestSupport
import Testing

@Suite("logs and correlation ids across real nodes")
struct ObservabilityTests {
    @Test("one X-Request-ID follows a request from the gateway to ns-node, and every log line is JSON")
    func correlationAcrossNodes() async throws {
        let folder = try Tools.temporaryDirectory("nsd-logs")
        let logFile = folder + "/nsd.log"
        let nsd = try await NSDInstance(environment: ["LOG_LEVEL": "debug", "LOG_FILE": logFile])
        let response = try await Fetched.get(nsd.url("gateway-node", "/health"), headers: ["X-Request-ID": "e2e-corr-7f3a"])
        #expect(response.status == 200)
        #expect(response.headers["x-request-id"] == "e2e-corr-7f3a")
        try await nsd.child.waitForOutput(timeout: .seconds(10)) { lines in
            lines.contains { $0.contains("\"service\":\"ns-node\"") && $0.contains("e2e-corr-7f3a") }
        }
        #expect(await nsd.stop() == 0)

        let lines = nsd.child.stdoutLines
        let objects = lines.compactMap(LogLine.parse)
        #expect(objects.count == lines.count, "every stdout line must be one JSON object")
        for object in objects {
            #expect(object["timestamp"] is String && object["level"] is String && object["service"] is String && object["message"] is String)
        }
        let hops = objects.filter { $0["correlationId"] as? String == "e2e-corr-7f3a" && $0["message"] as? String == "request" }
        #expect(Set(hops.compactMap { $0["service"] as? String }) == ["gateway-node", "ns-node"])
        #expect(hops.allSatisfy { $0["route"] as? String == "/health" && $0["status"] as? Int == 200 })

        let fileLines = try String(contentsOfFile: logFile, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(fileLines == lines, "LOG_FILE holds the same lines as stdout")
    }

    @Test("LOG_LEVEL filters: at warn, no info lines are written")
    func levelFilter() async throws {
        // With info filtered out there is no "listening" line to wait for: wait for /health on a known port.
        let port = try Tools.freePort()
        let nsd = try await NSDInstance(roles: ["ns"], environment: ["LOG_LEVEL": "warn"], expected: [], nsPort: port)
        var up = false
        for _ in 0..<100 where !up {
            up = (try? await Fetched.get("http://127.0.0.1:\(port)/health"))?.status == 200
            if !up { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(up && nsd.child.isRunning)
        #expect(await nsd.stop() == 0)
        let levels = Set(nsd.child.stdoutLines.compactMap(LogLine.parse).compactMap { $0["level"] as? String })
        #expect(levels.isSubset(of: ["warning", "error", "critical"]), "\(levels)")
    }

    @Test("an idle nsd writes no lines at info: node-to-node successes are debug; client requests and non-2xx answers stay info")
    func quietWhenIdle() async throws {
        let nsd = try await NSDInstance(environment: ["JWT_SECRET": ClientToken.secret])
        // Let start-up finish (the gateway's ns-node check, the first blocks), then watch 6 s of idling,
        // in which the block producer polls ns-node about 18 times.
        try await Task.sleep(for: .seconds(2))
        let before = nsd.child.stdoutLines.count
        try await Task.sleep(for: .seconds(6))
        let idle = Array(nsd.child.stdoutLines.dropFirst(before))
        #expect(idle.isEmpty, "an idle nsd logged: \(idle)")

        let token = ClientToken.make(sub: "quiet")
        #expect(try await Fetched.get(nsd.url("gateway-node", "/api/status/job_unknown"), token: token).status == 404)
        #expect(try await Fetched.get(nsd.url("ns-node", "/v1/blocks/999999"), headers: ["User-Agent": "nsd/0"]).status == 404)
        try await nsd.child.waitForOutput(timeout: .seconds(10)) { lines in
            let requests = lines.compactMap(LogLine.parse).filter { $0["message"] as? String == "request" && $0["level"] as? String == "info" }
            return requests.contains { $0["route"] as? String == "/api/status/{id}" } && requests.contains { $0["status"] as? Int == 404 && $0["service"] as? String == "ns-node" }
        }
        #expect(await nsd.stop() == 0)
    }
}
