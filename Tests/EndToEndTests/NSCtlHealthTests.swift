import Foundation
import GRDB
import NSCore
import NSQueue
import NSTestSupport
import Testing

@Suite("nsctl health, the monitoring-plugin check")
struct NSCtlHealthTests {
    static func environment(_ nsd: NSDInstance, ns: String? = nil, vp: String? = nil) -> [String: String] {
        ["GATEWAY_URL": nsd.url("gateway-node", ""), "NS_NODE_URL": ns ?? nsd.url("ns-node", ""),
         "VP_URL": vp ?? nsd.url("vp-node", ""), "ADMIN_URL": nsd.url("admin-node", "")]
    }

    @Test("all up is OK (0) with perfdata; a node down is CRITICAL (2); slow answers are WARNING (1); bad flags are UNKNOWN (3)")
    func states() async throws {
        let nsd = try await NSDInstance()
        let folder = try Tools.temporaryDirectory("nsctl-health")
        let up = try await NSCtlRunner.run(["health"], environment: Self.environment(nsd), directory: folder)
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        let lines = up.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("NEUROSWARM OK - gateway-node ") == true, "\(lines)")
        let perfdata = try #require(lines.first?.split(separator: "|").last).trimmingCharacters(in: .whitespaces)
        #expect(perfdata.wholeMatch(of: /gateway=[0-9.]+s;0\.5;1;0 ns=[0-9.]+s;0\.5;1;0 vp=[0-9.]+s;0\.5;1;0 admin=[0-9.]+s;0\.5;1;0 dlq=0;10;100;0 queue_store=[0-9]+\.[0-9]%;90;100;0;100/) != nil,
                "\(perfdata)")
        #expect(lines.count == 7, "a line per service, the dead-letter queue and the queue store")

        let closed = "http://127.0.0.1:\(try Tools.freePort())"
        let down = try await NSCtlRunner.run(["health", "--service", "gateway,ns", "--ping-url", "http://127.0.0.1:9/ping"],
                                             environment: Self.environment(nsd, ns: closed), directory: folder)
        #expect(down.status == 2, "a failed ping does not change the exit status")
        #expect(down.stdout.hasPrefix("NEUROSWARM CRITICAL - ns-node down (connection refused); gateway-node "), "\(down.stdout)")
        #expect(down.stdout.contains(" | gateway=") && down.stdout.contains(" ns=;0.5;1;0"))
        #expect(down.stderr.contains("--ping-url failed"))
        // vp-node down also leaves the dead-letter count unknown; the verdict is still CRITICAL.
        let vpDown = try await NSCtlRunner.run(["health", "--service", "vp,admin"], environment: Self.environment(nsd, vp: closed), directory: folder)
        #expect(vpDown.status == 2, "\(vpDown.stdout)")
        #expect(vpDown.stdout.hasPrefix("NEUROSWARM CRITICAL - vp-node down"))

        // Stop the daemon for 1.5 s while the check waits (however late nsctl starts under load, its
        // requests meet a stopped daemon): every answer is late, none is lost.
        nsd.child.signal(SIGSTOP)
        async let slow = NSCtlRunner.run(["health", "--warning-ms", "200", "--critical-ms", "5000", "--json"],
                                         environment: Self.environment(nsd), directory: folder)
        try await Task.sleep(for: .milliseconds(1_500))
        nsd.child.signal(SIGCONT)
        let late = try await slow
        #expect(late.status == 1, "\(late.stdout)")
        #expect(LogLine.parse(late.stdout)?["state"] as? String == "WARNING")

        for bad in [["health", "--warning-ms", "soon"], ["health", "--service", "gateway,bogus"], ["health", "--critical-ms", "10", "--warning-ms", "20"]] {
            let outcome = try await NSCtlRunner.run(bad, directory: folder)
            #expect(outcome.status == 3, "\(bad): \(outcome.stderr)")
            #expect(outcome.stderr.split(separator: "\n").count == 1)
        }
        #expect(try await NSCtlRunner.run(["health", "--help"], directory: folder).status == 0)
        #expect(await nsd.stop() == 0)
    }

    @Test("the dead-letter queue size from vp-node's metrics drives WARNING and CRITICAL")
    func deadLetters() async throws {
        let nsd = try await NSDInstance()
        let folder = try Tools.temporaryDirectory("nsctl-health-dlq")
        let queue = try sharedQueue(nsd.dataDirectory + "/vp-node-data/queue.db")
        // Payloads that are not artifacts: vp-node's workers fail them permanently.
        _ = try await queue.enqueue(batch: (0..<3).map { NewJob(type: "artifact", payload: Array("job \($0)".utf8)) })
        for _ in 0..<100 where try await queue.counts().total(.deadLetter) < 3 { try await Task.sleep(for: .milliseconds(100)) }
        #expect(try await queue.counts().total(.deadLetter) == 3)
        let warning = try await NSCtlRunner.run(["health", "--service", "vp", "--dlq-warning", "2", "--dlq-critical", "5"],
                                                environment: Self.environment(nsd), directory: folder)
        #expect(warning.status == 1, "\(warning.stdout)")
        #expect(warning.stdout.contains("dlq=3;2;5;0"))
        let critical = try await NSCtlRunner.run(["health", "--service", "vp", "--dlq-warning", "1", "--dlq-critical", "3"],
                                                 environment: Self.environment(nsd), directory: folder)
        #expect(critical.status == 2)
        #expect(await nsd.stop() == 0)
    }
}

@Suite("nsctl colour")
struct NSCtlColourTests {
    /// Runs nsctl on a pseudo-terminal (Python's pty module) and returns what it printed.
    static func onTerminal(_ arguments: [String], environment: [String: String]) throws -> String {
        let script = "import os, pty, sys; os.environ.clear(); os.environ.update(dict(a.split('=', 1) for a in sys.argv[2:] if '=' in a and not a.startswith('-')))\n"
            + "out = []\n"
            + "def read(fd):\n    data = os.read(fd, 65536)\n    out.append(data)\n    return data\n"
            + "pty.spawn([sys.argv[1]] + [a for a in sys.argv[2:] if not ('=' in a and not a.startswith('-'))], read)\n"
            + "sys.stdout.write(b''.join(out).decode('utf-8', 'replace'))\n"
        let arguments = [try NSDInstance.nsctl()] + arguments + environment.map { "\($0.key)=\($0.value)" }
        return try Tools.run("/usr/bin/python3", ["-c", script] + arguments).output
    }

    @Test("colour only on a terminal, and never with NO_COLOR")
    func colour() async throws {
        let nsd = try await NSDInstance(roles: ["gateway"], environment: ["NS_NODE_URL": "http://127.0.0.1:9", "NS_CHECK_RETRIES": "0"])
        let environment = ["GATEWAY_URL": nsd.url("gateway-node", ""), "PATH": "/usr/bin:/bin", "TERM": "xterm"]
        let coloured = try Self.onTerminal(["health", "--service", "gateway"], environment: environment)
        #expect(coloured.contains("\u{1B}["), "\(coloured)")
        let plain = try Self.onTerminal(["health", "--service", "gateway"], environment: environment.merging(["NO_COLOR": "1"]) { $1 })
        #expect(plain.contains("NEUROSWARM") && !plain.contains("\u{1B}["), "\(plain)")
        let piped = try await NSCtlRunner.run(["health", "--service", "gateway"], environment: environment)
        #expect(piped.stdout.contains("NEUROSWARM") && !piped.stdout.contains("\u{1B}["))
        // The gateway answers 503 because its ns-node is unreachable; the check names why.
        #expect(piped.status == 2 && piped.stdout.contains("gateway-node degraded (failing: ns-node)"), "\(piped.stdout)")
        #expect(await nsd.stop() == 0)
    }
}
