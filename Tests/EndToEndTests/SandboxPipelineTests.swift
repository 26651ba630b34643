import Foundation
import NSCore
import NSTestSupport
import Testing

@Suite("code artifacts through the sandbox in a running nsd")
struct SandboxPipelineTests {
    static func submitCode(_ gateway: String, token: String, language: String, code: String) async throws -> String {
        let body = CanonicalJSON.encode(["content": .string(code), "metadata": ["kind": "code", "language": .string(language)]])
        let answer = try await Fetched.post(gateway + "/api/submit", body: Array(body), token: token)
        return try require(answer.json?["id"] as? String, "job id in \(answer.status)")
    }

    static func finalStatus(_ gateway: String, id: String, token: String) async throws -> [String: Any] {
        for _ in 0..<300 {
            let status = try await Fetched.get(gateway + "/api/status/\(id)", token: token).json ?? [:]
            let ledger = (status["ledger"] as? [String: Any])?["status"] as? String
            if ledger == "committed" || status["state"] as? String == "dead_letter" { return status }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ChildProcessError.notFound("a final state for \(id)")
    }

    @Test("hostile snippets run contained, their outcomes are anchored, secrets fail permanently, and the daemon stays healthy")
    func hostileSnippetsThroughThePipeline() async throws {
        let nsd = try await NSDInstance(environment: ["JWT_SECRET": ClientToken.secret, "SANDBOX_TIMEOUT_MS": "3000",
                                                      "SANDBOX_RUNTIMES": "python=/usr/bin/python3 -I -S,sh=/bin/sh,ruby=/usr/bin/ruby-absent"])
        let gateway = nsd.url("gateway-node", "")
        let token = ClientToken.make(sub: "coder")
        let ordinary = try await Self.submitCode(gateway, token: token, language: "python", code: "print(6 * 7)\n")
        let loop = try await Self.submitCode(gateway, token: token, language: "python", code: "while True:\n    pass\n")
        let bomb = try await Self.submitCode(gateway, token: token, language: "sh", code: "bomb() { bomb | bomb & }; bomb\n")
        let flood = try await Self.submitCode(gateway, token: token, language: "sh", code: "exec yes flooding-the-output\n")
        let secret = try await Self.submitCode(gateway, token: token, language: "python", code: "import os\nprint(os.environ['INTERNAL_TOKEN'])\n")
        let missing = try await Self.submitCode(gateway, token: token, language: "ruby", code: "puts 1\n")

        func sandbox(of id: String) async throws -> [String: Any] {
            let status = try await Self.finalStatus(gateway, id: id, token: token)
            let txHash = try require(status["txHash"] as? String, "tx of \(id): \(status)")
            let tx = try require(try await Fetched.get(nsd.url("ns-node", "/v1/tx/\(txHash)")).json?["tx"] as? [String: Any])
            return try require(tx["sandbox"] as? [String: Any], "sandbox outcome in \(tx)")
        }
        let ran = try await sandbox(of: ordinary)
        #expect(ran["exitCode"] as? Int == 0)
        #expect((ran["stdout"] as? [String: Any])?["excerpt"] as? String == "42\n")
        let looped = try await sandbox(of: loop)
        #expect(looped["timedOut"] as? Bool == true)
        #expect(looped["signal"] as? Int == 9)
        let bombed = try await sandbox(of: bomb)
        #expect((bombed["durationMs"] as? Int ?? .max) < 15_000, "killed at the 3 s limit, loosely bounded for a loaded machine")
        let flooded = try await sandbox(of: flood)
        #expect((flooded["stdout"] as? [String: Any])?["truncated"] as? Bool == true)

        for (id, reason) in [(secret, "security violation: the snippet reads INTERNAL_TOKEN"), (missing, "runtime ruby (/usr/bin/ruby-absent) is not installed")] {
            let status = try await Self.finalStatus(gateway, id: id, token: token)
            #expect(status["state"] as? String == "dead_letter")
            #expect(status["attempts"] as? Int == 1, "a permanent failure is not retried: \(status)")
            let message = (status["lastError"] as? [String: Any])?["message"] as? String
            #expect(message?.contains(reason) == true, "\(status)")
        }

        let health = try await Fetched.get(nsd.url("vp-node", "/health"))
        #expect(health.status == 200)
        let check = (health.json?["checks"] as? [String: Any])?["sandbox"] as? [String: Any]
        #expect(check?["status"] as? String == "ok")
        #expect((check?["detail"] as? String)?.contains("rlimits") == true, "\(String(describing: check))")
        for node in ["gateway-node", "ns-node", "admin-node"] {
            #expect(try await Fetched.get(nsd.url(node, "/health")).status == 200)
        }
        #expect(await nsd.stop() == 0)
    }

    /// The probe's reproduction: a data folder inside a folder the snippet's user cannot enter
    /// made every snippet end "completed" with exit code 125 and the host's path anchored.
    @Test("a sandbox that cannot run is never a result: launch failures are retried then dead-lettered, /health names the runtime",
          .enabled(if: geteuid() == 0, "the runtime is out of reach only of a snippet uid other than nsd's: nsd must be root, as CI runs"))
    func launchFailuresAreNotOutcomes() async throws {
        let outer = try Tools.closedDirectory("sandbox-outer")
        let data = outer + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: false)
        let locked = outer + "/locked-sh"
        try Tools.copyShell(to: locked)
        let nsd = try await NSDInstance(environment: ["JWT_SECRET": ClientToken.secret, "JOB_MAX_RETRIES": "2",
                                                      "SANDBOX_RUNTIMES": "python=/usr/bin/python3 -I -S,locked=\(locked)"],
                                        dataDirectory: data)
        let gateway = nsd.url("gateway-node", "")
        let token = ClientToken.make(sub: "coder")
        let ordinary = try await Self.submitCode(gateway, token: token, language: "python",
                                                 code: "# reads nothing: jwt_secret is only mentioned\nprint(6 * 7)\n")
        let unrunnable = try await Self.submitCode(gateway, token: token, language: "locked", code: "echo never\n")

        let status = try await Self.finalStatus(gateway, id: ordinary, token: token)
        let txHash = try require(status["txHash"] as? String, "tx of \(ordinary): \(status)")
        let body = try await Fetched.get(nsd.url("ns-node", "/v1/tx/\(txHash)"))
        let sandbox = try require((body.json?["tx"] as? [String: Any])?["sandbox"] as? [String: Any])
        #expect(sandbox["exitCode"] as? Int == 0, "\(sandbox)")
        #expect((sandbox["stdout"] as? [String: Any])?["excerpt"] as? String == "42\n")
        #expect(sandbox["secretMentions"] as? [String] == ["JWT_SECRET"])
        #expect(!body.body.contains(outer), "a host path is anchored")

        let failed = try await Self.finalStatus(gateway, id: unrunnable, token: token)
        #expect(failed["state"] as? String == "dead_letter", "\(failed)")
        #expect(failed["attempts"] as? Int == 2, "a launch failure is retried: \(failed)")
        let message = (failed["lastError"] as? [String: Any])?["message"] as? String
        #expect(message?.contains("cannot be run inside the sandbox") == true, "\(failed)")

        let health = try await Fetched.get(nsd.url("vp-node", "/health"))
        #expect(health.status == 200)
        let check = (health.json?["checks"] as? [String: Any])?["sandbox"] as? [String: Any]
        let detail = check?["detail"] as? String ?? ""
        #expect(detail.contains("python ok") && detail.contains("locked FAILING"), "\(detail)")
        #expect(detail.contains("namespaces"), "\(detail)")
        #expect(await nsd.stop() == 0)

        // With no runtime that can run, the sandbox check fails and vp-node answers 503.
        let broken = try await NSDInstance(environment: ["JWT_SECRET": ClientToken.secret, "SANDBOX_RUNTIMES": "locked=\(locked)"],
                                           dataDirectory: try Tools.temporaryDirectory("sandbox-broken"))
        let unhealthy = try await Fetched.get(broken.url("vp-node", "/health"))
        #expect(unhealthy.status == 503)
        #expect((unhealthy.json?["failing"] as? [String]) == ["sandbox"], "\(String(describing: unhealthy.json))")
        #expect(await broken.stop() == 0)
    }

    @Test("SANDBOX_ISOLATION=directory is reported on /health and in the anchored outcome")
    func directoryModeReported() async throws {
        let nsd = try await NSDInstance(environment: ["JWT_SECRET": ClientToken.secret, "SANDBOX_ISOLATION": "directory"])
        let gateway = nsd.url("gateway-node", "")
        let token = ClientToken.make(sub: "coder")
        let id = try await Self.submitCode(gateway, token: token, language: "sh", code: "echo ok\n")
        let status = try await Self.finalStatus(gateway, id: id, token: token)
        let txHash = try require(status["txHash"] as? String, "\(status)")
        let tx = try require(try await Fetched.get(nsd.url("ns-node", "/v1/tx/\(txHash)")).json?["tx"] as? [String: Any])
        #expect((tx["sandbox"] as? [String: Any])?["isolation"] as? String == "directory")
        let health = try await Fetched.get(nsd.url("vp-node", "/health"))
        let detail = ((health.json?["checks"] as? [String: Any])?["sandbox"] as? [String: Any])?["detail"] as? String ?? ""
        #expect(detail.contains("per-job directory, no namespaces (SANDBOX_ISOLATION=directory)"), "\(detail)")
        #expect(await nsd.stop() == 0)
    }
}
