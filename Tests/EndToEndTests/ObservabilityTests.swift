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
}
