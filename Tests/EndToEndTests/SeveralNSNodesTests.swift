import Foundation
import NSCore
import NSTestSupport
import Testing

/// `NS_NODE_URL` listing a closed port first and a live ns-node second: every client of ns-node
/// (the gateway, vp-node, admin-node, their health checks, and nsctl) fails over to the live one.
@Suite("several ns-nodes in NS_NODE_URL")
struct SeveralNSNodesTests {
    @Test("a dead ns-node listed first: submissions commit, blocks are produced, the audit head is anchored, nsctl works, health is WARNING naming it; all down is CRITICAL")
    func deadFirst() async throws {
        let folder = try Tools.temporaryDirectory("several-ns-nodes")
        let data = folder + "/data"
        let environment = AuditAnchorTests.environment
        let ledger = try await NSDInstance(roles: ["ns"], environment: environment, directory: folder, dataDirectory: data)
        let live = ledger.url("ns-node", "")
        let dead = "http://127.0.0.1:\(try Tools.freePort())"
        let listed = "\(dead),\(live)"
        let front = try await NSDInstance(roles: ["gateway", "vp", "admin"], environment: environment.merging(["NS_NODE_URL": listed]) { $1 },
                                          directory: folder, dataDirectory: data)
        let nsctlEnvironment = ["GATEWAY_URL": front.url("gateway-node", ""), "NS_NODE_URL": listed, "VP_URL": front.url("vp-node", ""),
                                "ADMIN_URL": front.url("admin-node", ""), "JWT_SECRET": ClientToken.secret, "ADMIN_JWT_SECRET": AdminTests.adminSecret]

        // The gateway's status lookups and vp-node's submissions and blocks reach the live ns-node.
        let token = ClientToken.make(sub: "alice")
        let id = try require(try await Fetched.submit(front.url("gateway-node", ""), token: token, content: "failover").json?["id"] as? String)
        #expect(try await NSCtlJobsTests.waitFor {
            let status = try await Fetched.get(front.url("gateway-node", "/api/status/\(id)"), token: token)
            return (status.json?["ledger"] as? [String: Any])?["status"] as? String == "committed"
        }, "the job never committed through the second ns-node")

        // admin-node anchors its audit head there too.
        let admin = AdminClient(base: front.url("admin-node", ""))
        try await AuditAnchorTests.visit(admin, as: "alice")
        #expect(try await AuditAnchorTests.waitForAnchor(live, sequence: 2), "the audit head was never anchored")

        // The nodes' own ns-node check passes, naming the one down.
        let health = try await Fetched.get(front.url("gateway-node", "/health"))
        #expect(health.status == 200, "\(health.body)")
        #expect(Self.nsNodeCheck(health)?["detail"] as? String == "1 of 2 ns-nodes answer; down: \(dead) (connection refused)", "\(health.body)")

        // nsctl: every command that calls ns-node goes on to the live one.
        try Data("failover file\n".utf8).write(to: URL(fileURLWithPath: folder + "/file.txt"))
        let submitted = try await NSCtlRunner.run(["submit", "file.txt", "--wait"], environment: nsctlEnvironment, directory: folder)
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let verified = try await NSCtlRunner.run(["verify", "file.txt"], environment: nsctlEnvironment, directory: folder)
        #expect(verified.status == 0 && verified.stdout.hasPrefix("verified file.txt: sha256 "), "\(verified.stdout)\(verified.stderr)")
        let chain = try await NSCtlRunner.run(["chain", "verify"], environment: nsctlEnvironment, directory: folder)
        #expect(chain.status == 0, "\(chain.stdout)\(chain.stderr)")
        let audit = try await NSCtlRunner.run(["audit", "verify", "--db", data + "/admin-node-data/admin.db"], environment: nsctlEnvironment,
                                              directory: folder)
        #expect(audit.status == 0, "\(audit.stdout)\(audit.stderr)")
        let warning = try await NSCtlRunner.run(["health", "--service", "ns"], environment: nsctlEnvironment, directory: folder)
        #expect(warning.status == 1, "\(warning.stdout)")
        #expect(warning.stdout.hasPrefix("NEUROSWARM WARNING - ns-node ") && warning.stdout.contains("partly down (down: \(dead) (connection refused))"),
                "\(warning.stdout)")

        // Every listed ns-node down: CRITICAL, and errors that name each address.
        let otherDead = "http://127.0.0.1:\(try Tools.freePort())"
        let allDead = nsctlEnvironment.merging(["NS_NODE_URL": "\(dead),\(otherDead)"]) { $1 }
        let critical = try await NSCtlRunner.run(["health", "--service", "ns"], environment: allDead, directory: folder)
        #expect(critical.status == 2, "\(critical.stdout)")
        #expect(critical.stdout.hasPrefix("NEUROSWARM CRITICAL - ns-node down (none of the 2 answers: \(dead) (connection refused), \(otherDead) (connection refused))"),
                "\(critical.stdout)")
        let unreachable = try await NSCtlRunner.run(["chain", "verify"], environment: allDead, directory: folder)
        #expect(unreachable.status == 69)
        #expect(unreachable.stderr.contains("cannot reach ns-node at \(dead), \(otherDead) (connection refused)"), "\(unreachable.stderr)")

        #expect(await ledger.stop() == 0)
        let failing = try await Fetched.get(front.url("gateway-node", "/health"))
        #expect(failing.status == 503, "\(failing.body)")
        #expect((Self.nsNodeCheck(failing)?["error"] as? String)?.hasPrefix("none of the 2 ns-nodes answers: \(dead) (connection refused), \(live) (") == true,
                "\(failing.body)")
        #expect(await front.stop() == 0)
    }

    /// The `ns-node` check of a node's `/health` answer.
    static func nsNodeCheck(_ health: Fetched) -> [String: Any]? {
        (health.json?["checks"] as? [String: Any])?["ns-node"] as? [String: Any]
    }

    @Test("a malformed entry in NS_NODE_URL stops nsd with exit status 78 naming the entry, and nsctl likewise")
    func malformedEntry() async throws {
        let nsd = try ChildProcess(executable: try NSDInstance.binary(), arguments: ["run", "--role", "gateway", "--data-dir", try Tools.temporaryDirectory("bad-ns-url")],
                                   environment: NSDInstance.environment(["NS_NODE_URL": "http://127.0.0.1:3009,ftp://elsewhere"]))
        #expect(await nsd.waitForExit(timeout: .seconds(30)) == 78)
        #expect(nsd.stderr.contains("NS_NODE_URL (environment) entry 2 of 2 \"ftp://elsewhere\" is not a valid http/https URL"), "\(nsd.stderr)")

        let nsctl = try await NSCtlRunner.run(["chain", "verify"], environment: ["NS_NODE_URL": "http://127.0.0.1:3009,"])
        #expect(nsctl.status == 78)
        #expect(nsctl.stderr.contains("NS_NODE_URL (environment) entry 2 of 2 is empty"), "\(nsctl.stderr)")
    }
}
