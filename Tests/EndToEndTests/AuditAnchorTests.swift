import Foundation
import GRDB
import NSCore
import NSTestSupport
import Testing

@Suite("admin-node anchors its audit head in the ledger; nsctl audit verify catches a trail cut from the end")
struct AuditAnchorTests {
    static let environment = AdminTests.environment.merging(["AUDIT_ANCHOR_INTERVAL_MS": "200", "BLOCK_INTERVAL_MS": "100"]) { $1 }

    /// The newest anchor ns-node holds: its `tx` and whether it waits in the mempool.
    static func newestAnchor(_ nsNode: String) async throws -> (sequence: Int, hash: String, pending: Bool)? {
        let answer = try await Fetched.get(nsNode + "/v1/jobs/\(AuditAnchor.jobID)/tx?prefer=pending")
        guard answer.status == 200, let json = answer.json, let tx = json["tx"] as? [String: Any],
              let sequence = (tx["metadata"] as? [String: Any])?["auditSeq"] as? Int,
              let hash = (tx["artifact"] as? [String: Any])?["sha256"] as? String else { return nil }
        return (sequence, hash, json["pending"] as? Bool == true)
    }

    /// Waits up to `seconds` for the ledger's newest anchor to be `sequence` (committed unless `pending` is allowed).
    static func waitForAnchor(_ nsNode: String, sequence: Int, allowPending: Bool = false, seconds: Int = 15) async throws -> Bool {
        for _ in 0..<(seconds * 10) {
            if let found = try await newestAnchor(nsNode), found.sequence == sequence, allowPending || !found.pending { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// A sample's value on a node's `/metrics` (`name` with its labels, as exposed), or nil.
    static func metric(_ node: String, _ series: String) async throws -> Double? {
        let body = try await Fetched.get(node + "/metrics").body
        return body.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    /// Two entries per visit: the sign-in, and a refused look at /sessions.
    static func visit(_ admin: AdminClient, as user: String) async throws {
        try await admin.signIn(token: try await AdminClient.token(role: "viewer", sub: user, secret: AdminTests.adminSecret))
        #expect(try await admin.get("/sessions").status == 403)
    }

    @Test("deleting the newest rows, or all of them, fails verify with the missing range; a rewritten tail is never anchored")
    func cutTailIsCaught() async throws {
        let nsd = try await NSDInstance(environment: Self.environment)
        let ns = nsd.url("ns-node", "")
        let adminNode = nsd.url("admin-node", "")
        let admin = AdminClient(base: adminNode)
        for index in 0..<4 { try await Self.visit(admin, as: "user\(index)") }
        // Anchored within the interval (200 ms here) and committed by the next block.
        #expect(try await Self.waitForAnchor(ns, sequence: 8), "head 8 never anchored")
        #expect(try await Self.metric(adminNode, "ns_audit_anchored_sequence") == 8)
        #expect(try await Self.metric(adminNode, "ns_audit_head_sequence") == 8)
        #expect(try await Fetched.get(ns + "/v1/jobs/\(AuditAnchor.jobID)/tx?prefer=newest").status == 400)

        // An idle trail adds nothing to the ledger: ns-node takes no more transactions.
        let submitted = try await Self.metric(ns, "ns_ledger_txs_submitted_total")
        try await Task.sleep(for: .milliseconds(1_500))
        #expect(try await Self.metric(ns, "ns_ledger_txs_submitted_total") == submitted)

        let db = nsd.dataDirectory + "/admin-node-data/admin.db"
        let env = ["NS_NODE_URL": ns]
        let untouched = try await NSCtlRunner.run(["audit", "verify", "--db", db], environment: env)
        #expect(untouched.status == 0, "\(untouched.stderr)")
        #expect(untouched.stdout.hasPrefix("audit chain verified: 8 entries") && untouched.stdout.contains("newest anchored head, entry 8 ("),
                "\(untouched.stdout)")

        // The reproduction: the newest three rows deleted from the real file still verified.
        let database = try DatabaseQueue(path: db)
        try await database.write { db in try db.execute(sql: "DELETE FROM audit WHERE seq > 5") }
        let cut = try await NSCtlRunner.run(["audit", "verify", "--db", db], environment: env)
        #expect(cut.status == 1)
        #expect(cut.stderr.contains("entries 6-8 are missing: the ledger anchored head 8 at ") && cut.stderr.contains("the trail ends at 5;"),
                "\(cut.stdout)\(cut.stderr)")
        #expect(cut.stderr.split(separator: "\n").count == 1)

        // admin-node writes on: entries 6 to 9 again, chained to entry 5. It must not anchor them,
        // or the ledger would agree with the shortened trail.
        for index in 0..<2 { try await Self.visit(admin, as: "after-cut-\(index)") }
        try await Task.sleep(for: .milliseconds(1_500))
        #expect(try await Self.newestAnchor(ns)?.sequence == 8)
        #expect(try await Self.metric(adminNode, "ns_audit_anchor_failures_total{reason=\"conflict\"}") ?? 0 >= 1)
        #expect(nsd.child.stdoutLines.filter { $0.contains("the audit trail does not hold the head anchored in the ledger") }.count == 1,
                "logged once, not every round")
        let rewritten = try await NSCtlRunner.run(["audit", "verify", "--db", db], environment: env)
        #expect(rewritten.status == 1)
        #expect(rewritten.stderr.contains("entry 8 is not the one the ledger anchored as the head at "), "\(rewritten.stderr)")

        try await database.write { db in try db.execute(sql: "DELETE FROM audit") }
        let emptied = try await NSCtlRunner.run(["audit", "verify", "--db", db, "--json"], environment: env)
        #expect(emptied.status == 1)
        #expect(emptied.stderr.contains("entries 1-8 are missing: the ledger anchored head 8 at ") && emptied.stderr.contains("the trail is empty"),
                "\(emptied.stderr)")
        #expect(LogLine.parse(emptied.stdout)?["ok"] as? Bool == false)
        // Checking the chain alone is still possible, and says what it does not check.
        let chainOnly = try await NSCtlRunner.run(["audit", "verify", "--db", db, "--no-ledger"])
        #expect(chainOnly.status == 0 && chainOnly.stdout.contains("--no-ledger"), "\(chainOnly.stderr)")
        try database.close()
        #expect(await nsd.stop() == 0)
    }

    @Test("with ns-node down admin actions go on and anchoring is retried; the head is anchored once ns-node returns")
    func anchorWaitsForNSNode() async throws {
        let data = try Tools.temporaryDirectory("audit-anchor")
        let nsPort = try Tools.freePort()
        let ns = "http://127.0.0.1:\(nsPort)"
        let adminOnly = try await NSDInstance(roles: ["admin"], environment: Self.environment.merging(["NS_NODE_URL": ns]) { $1 }, dataDirectory: data)
        let adminNode = adminOnly.url("admin-node", "")
        let admin = AdminClient(base: adminNode)
        let started = ContinuousClock.now
        for index in 0..<3 { try await Self.visit(admin, as: "offline-\(index)") }
        #expect(ContinuousClock.now - started < .seconds(5), "admin actions do not wait for the ledger")
        try await Task.sleep(for: .milliseconds(1_500))
        #expect(try await Self.metric(adminNode, "ns_audit_anchor_failures_total{reason=\"unreachable\"}") ?? 0 >= 3)
        #expect(adminOnly.child.stdoutLines.filter { $0.contains("the audit head could not be anchored in the ledger") }.count == 1,
                "one warning for the outage, not one per round")
        let offline = try await NSCtlRunner.run(["audit", "verify", "--db", data + "/admin-node-data/admin.db", "--timeout", "1"],
                                                environment: ["NS_NODE_URL": ns])
        #expect(offline.status == 69 && offline.stderr.contains("cannot reach ns-node at ") && offline.stderr.contains("--no-ledger"), "\(offline.stderr)")

        // ns-node comes up where admin-node looks for it (the same data folder: the same internal token).
        let ledger = try await NSDInstance(roles: ["ns"], dataDirectory: data, nsPort: nsPort)
        #expect(try await Self.waitForAnchor(ns, sequence: 6, allowPending: true), "head 6 never anchored after ns-node returned")
        #expect(try await Self.metric(adminNode, "ns_audit_anchored_sequence") == 6)
        #expect(adminOnly.child.stdoutLines.contains { $0.contains("audit anchoring works again") })
        let verified = try await NSCtlRunner.run(["audit", "verify", "--db", data + "/admin-node-data/admin.db"], environment: ["NS_NODE_URL": ns])
        #expect(verified.status == 0 && verified.stdout.contains("entry 6 (anchored ") && verified.stdout.contains("in the mempool"), "\(verified.stdout)\(verified.stderr)")
        #expect(await adminOnly.stop() == 0)
        #expect(await ledger.stop() == 0)
    }
}
