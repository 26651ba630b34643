import Foundation
import GRDB
import NSCore
import NSTestSupport
import Testing

/// admin-node in a running nsd, with admin.db's audit table made to refuse inserts by a trigger
/// added through a real SQLite connection (what a full disk or a read-only file does to it).
@Suite("admin-node: an action whose audit entry cannot be written does not happen")
struct AdminAuditFailClosedTests {
    static let refusal = "refused by the test"
    static let refusedMessage = "an admin request was refused: its audit entry could not be written"

    static func adminDatabase(_ nsd: NSDInstance) throws -> DatabaseQueue {
        try DatabaseQueue(path: nsd.dataDirectory + "/admin-node-data/admin.db")
    }

    /// Makes the audit table refuse every insert, or only those matching `condition`.
    static func refuseAudit(_ nsd: NSDInstance, when condition: String = "1") throws {
        let database = try adminDatabase(nsd)
        try database.write { db in
            try db.execute(sql: "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit WHEN \(condition) BEGIN SELECT RAISE(ABORT, '\(refusal)'); END")
        }
        try database.close()
    }

    static func allowAudit(_ nsd: NSDInstance) throws {
        let database = try adminDatabase(nsd)
        try database.write { db in try db.execute(sql: "DROP TRIGGER refuse_audit") }
        try database.close()
    }

    static func liveSessions(_ nsd: NSDInstance) throws -> Int {
        let database = try adminDatabase(nsd)
        defer { try? database.close() }  // a read-only look; a failed close leaks one handle in a test process
        return try database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL") ?? 0 }
    }

    static func queuePaused(_ client: AdminClient) async throws -> Bool? {
        try await client.get("/api/overview").json?["paused"] as? Bool
    }

    /// The actions named in "refused" log lines whose reason is the trigger's, once `expected` are all there.
    static func refusedActions(_ nsd: NSDInstance, expected: Set<String>) async throws -> Set<String> {
        func actions(_ lines: [String]) -> Set<String> {
            Set(lines.compactMap(LogLine.parse).filter {
                $0["message"] as? String == refusedMessage && ($0["reason"] as? String)?.contains(refusal) == true
            }.compactMap { $0["action"] as? String })
        }
        try? await nsd.child.waitForOutput(timeout: .seconds(10)) { actions($0).isSuperset(of: expected) }  // the expectation below names what is missing
        return actions(nsd.child.stdoutLines)
    }

    @Test("actions, sign-in, sign-out and refusals answer 503 and change nothing; the log says why")
    func refusedEntries() async throws {
        let nsd = try await NSDInstance(environment: AdminTests.environment)
        let base = nsd.url("admin-node", "")
        let admin = AdminClient(base: base)
        try await admin.signIn(token: try await AdminClient.token(role: "admin", sub: "root", secret: AdminTests.adminSecret))
        let viewer = AdminClient(base: base)
        try await viewer.signIn(token: try await AdminClient.token(role: "viewer", sub: "reader", secret: AdminTests.adminSecret))
        let csrf = try #require(try await admin.get("/jobs").csrf)
        let viewerSession = try #require((try await admin.get("/api/sessions").json?["sessions"] as? [[String: Any]])?
            .first { $0["subject"] as? String == "reader" }?["idHash"] as? String)
        let scriptToken = try await AdminClient.token(role: "admin", sub: "script", secret: AdminTests.adminSecret)
        let newcomerToken = try await AdminClient.token(role: "operator", sub: "newcomer", secret: AdminTests.adminSecret)
        let key = LedgerKey(generatingNamed: "vp-9").publicKey.base64
        let validatorsBefore = try await Fetched.get(nsd.url("ns-node", "/v1/validators")).body
        let entriesBefore = try AdminTests.auditEntries(nsd).count
        let sessionsBefore = try Self.liveSessions(nsd)
        try Self.refuseAudit(nsd)

        // A form action: an error page with 503, and the queue is not paused.
        let paused = try await admin.post("/queue/pause", form: ["confirm": "yes", "csrf": csrf])
        #expect(paused.status == 503 && paused.headers["content-type"]?.hasPrefix("text/html") == true, "\(paused.status)")
        #expect(paused.body.contains("Audit trail unavailable") && paused.body.contains("nothing was done"))
        #expect(paused.headers["retry-after"] != nil)
        // The same action from a script: problem details with 503.
        let scripted = try await AdminClient(base: base).postJSON("/api/queue/pause", json: "{}", bearer: scriptToken)
        #expect(scripted.status == 503 && scripted.headers["content-type"] == "application/problem+json", "\(scripted.status) \(scripted.body)")
        #expect(scripted.json?["status"] as? Int == 503 && (scripted.json?["detail"] as? String)?.contains("nothing was done") == true)
        #expect(try await Self.queuePaused(admin) == false, "no call to vp-node without its audit entry")

        // A validator change: ns-node is never asked.
        let added = try await admin.post("/validators/add", form: ["name": "vp-9", "publicKey": key, "csrf": csrf, "confirm": "yes"])
        #expect(added.status == 503)
        #expect(try await Fetched.get(nsd.url("ns-node", "/v1/validators")).body == validatorsBefore)

        // Revoking a session: it stays live.
        let revoked = try await admin.post("/sessions/revoke", form: ["session": viewerSession, "csrf": csrf, "confirm": "yes"])
        #expect(revoked.status == 503)
        #expect(try await viewer.get("/").status == 200, "the viewer is still signed in")

        // Signing in: refused, no cookie, no session; a refused token is 503 as well.
        let newcomer = AdminClient(base: base)
        let signIn = try await newcomer.signIn(token: newcomerToken)
        #expect(signIn.status == 503 && signIn.headers["set-cookie"] == nil, "\(signIn.status)")
        #expect(try await newcomer.get("/").status == 303)
        #expect(try await AdminClient(base: base).signIn(token: "not-a-token").status == 503)

        // Refusals that cannot be audited are 503 too, and still run nothing.
        #expect(try await viewer.get("/sessions").status == 503)
        #expect(try await admin.post("/queue/pause", form: ["confirm": "yes", "csrf": String(repeating: "0", count: 64)]).status == 503)

        // Signing out: the session is not ended.
        let out = try await admin.post("/logout", form: ["csrf": csrf])
        #expect(out.status == 503 && out.headers["set-cookie"] == nil)
        #expect(try await admin.get("/").status == 200, "the admin is still signed in")

        #expect(try Self.liveSessions(nsd) == sessionsBefore)
        #expect(try AdminTests.auditEntries(nsd).count == entriesBefore)
        let expected: Set<String> = ["queue-pause", "validator-add", "session-revoke", "sign-in", "sign-in-failed", "forbidden", "csrf-rejected", "sign-out"]
        let logged = try await Self.refusedActions(nsd, expected: expected)
        #expect(logged.isSuperset(of: expected), "refusals logged with the trigger's reason: \(logged)")

        // Once the trail takes entries again, the same action runs and is audited.
        try Self.allowAudit(nsd)
        #expect(try await admin.post("/queue/pause", form: ["confirm": "yes", "csrf": csrf]).status == 303)
        #expect(try await Self.queuePaused(admin) == true)
        let outcomes = try AdminTests.auditEntries(nsd).suffix(2).map { "\($0["action"] as String) \($0["outcome"] as String)" }
        #expect(outcomes == ["queue-pause requested", "queue-pause ok"])
        #expect(await nsd.stop() == 0)
    }

    @Test("an outcome entry refused after the call: the action stands, its requested entry is in the trail, the failure is logged")
    func refusedOutcome() async throws {
        let nsd = try await NSDInstance(environment: AdminTests.environment)
        let base = nsd.url("admin-node", "")
        let operatorToken = try await AdminClient.token(role: "operator", sub: "script", secret: AdminTests.adminSecret)
        try Self.refuseAudit(nsd, when: "NEW.outcome <> 'requested'")
        let paused = try await AdminClient(base: base).postJSON("/api/queue/pause", json: "{}", bearer: operatorToken)
        #expect(paused.status == 200 && paused.json?["message"] as? String == "queue paused", "\(paused.status) \(paused.body)")
        let queue = try await AdminClient(base: base).get("/api/overview", bearer: operatorToken)
        #expect(queue.json?["paused"] as? Bool == true)
        let last = try #require(try AdminTests.auditEntries(nsd).last)
        #expect("\(last["actor"] as String) \(last["action"] as String) \(last["outcome"] as String)" == "script queue-pause requested")
        try await nsd.child.waitForOutput(timeout: .seconds(10)) { lines in
            lines.contains { $0.contains("the outcome of an admin action could not be written to the audit trail") && $0.contains(Self.refusal) }
        }
        #expect(await nsd.stop() == 0)
    }
}
