import Foundation
import NSCore
import NSTestSupport
import Testing

@Suite("admin-node in a real browser")
struct AdminBrowserTests {
    @Test("headless Chromium signs in, opens every page, and retries a dead-lettered job through its confirmation")
    func browserRetriesADeadLetter() async throws {
        let nsd = try await NSDInstance(environment: AdminTests.environment)
        // A code artifact for a runtime that is not installed goes straight to the dead-letter queue.
        let body = CanonicalJSON.encode(["content": "puts 1", "metadata": ["kind": "code", "language": "ruby"]])
        let submitted = try await Fetched.post(nsd.url("gateway-node", "/api/submit"), body: Array(body), token: ClientToken.make(sub: "browser"))
        let id = try require(submitted.json?["id"] as? String)
        let status = { try await Fetched.get(nsd.url("gateway-node", "/api/status/\(id)"), token: ClientToken.make(sub: "browser")).json }
        #expect(try await NSCtlJobsTests.waitFor { try await status()?["state"] as? String == "dead_letter" })

        let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/test-artifacts/admin-browser").path
        try? FileManager.default.removeItem(atPath: artifacts)
        try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
        let token = try await AdminClient.token(role: "operator", sub: "browser-operator", secret: AdminTests.adminSecret)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/admin_browser.py").path
        let run = try Tools.run(try Tools.which("python3"), [script, nsd.url("admin-node", ""), token, artifacts])
        try #require(run.status == 0, "the browser script failed: \(run.output.suffix(3000))")
        let jsonLine = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(jsonLine.utf8)) as? [String: Any])

        #expect((seen["redirectedTo"] as? String)?.hasPrefix("/login") == true)
        #expect(seen["loginHeading"] as? String == "Sign in")
        #expect(seen["afterSignIn"] as? String == "/")
        #expect(seen["overviewHeading"] as? String == "Overview")
        #expect(Int(seen["height"] as? String ?? "") != nil, "block height shown: \(seen["height"] ?? "")")
        let nodes = seen["nodes"] as? [String] ?? []
        for node in ["gateway-node up", "ns-node up", "vp-node up", "admin-node up"] {
            #expect(nodes.contains { $0.hasPrefix(node) }, "overview lacks \(node): \(nodes)")
        }
        #expect(seen["headings"] as? [String: String] == ["/jobs": "Jobs", "/dlq": "Dead-letter queue", "/chain": "Chain",
                                                          "/validators": "Validators", "/audit": "Audit log"])
        #expect(seen["dlqBefore"] as? String == "1 job(s)")
        #expect((seen["dlqEntry"] as? String)?.contains("runtime ruby (/usr/bin/ruby-absent) is not installed") == true, "\(seen["dlqEntry"] ?? "")")
        #expect(seen["confirmHeading"] as? String == "Confirm: retry")
        #expect(seen["afterRetry"] as? String == "/dlq")
        #expect(seen["flash"] as? String == "retried 1 job(s)")
        #expect((seen["auditRows"] as? [String])?.first?.contains("browser-operator operator") == true, "\(seen["auditRows"] ?? "")")
        #expect((seen["auditRows"] as? [String])?.first?.contains("dlq-retry") == true)
        #expect((seen["chainStatus"] as? String)?.hasPrefix("The audit chain verifies") == true)

        // The retry really reached the queue: the job ran again and, the runtime still missing, failed
        // again; its error history (read through admin-node's JSON API) keeps both attempts.
        let api = AdminClient(base: nsd.url("admin-node", ""))
        #expect(try await NSCtlJobsTests.waitFor {
            let job = try await api.get("/api/jobs?id=\(id)", bearer: token).json?["job"] as? [String: Any]
            return (job?["errors"] as? [Any])?.count == 2 && job?["state"] as? String == "dead_letter"
        })
        for shot in ["overview.png", "dlq.png"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(artifacts)/\(shot)"))
            #expect(data.count > 10_000 && data.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(shot) is a real PNG")
        }
        #expect(await nsd.stop() == 0)
    }
}
