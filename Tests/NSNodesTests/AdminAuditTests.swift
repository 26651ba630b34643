import Foundation
import GRDB
import Logging
import NSCore
@testable import NSNodes
import NSSQLite
import NSTestSupport
import Testing

/// ``AdminAudit`` over a real admin.db whose audit table is made to refuse inserts by a SQLite
/// trigger, as a full disk or a read-only file would.
@Suite("admin-node's audit trail fails closed")
struct AdminAuditTests {
    struct Fixture {
        let database: NodeDatabase
        let audit: AdminAudit
        let sessions: SessionStore
        let sink = LogSink(standardOutput: false, capture: true)
        var logger: Logger { Logger(label: "admin-node") { [sink] in JSONLogHandler(service: $0, level: .info, sink: sink) } }

        init() throws {
            var migrator = DatabaseMigrator.node("admin-node")
            AdminSchema.register(in: &migrator)
            database = try NodeDatabase(path: try Tools.temporaryDirectory("admin-audit") + "/admin.db", variable: "--data-dir", migrator: migrator)
            let store = SQLiteAdminStore(pool: database.pool)
            audit = AdminAudit(store: store)
            sessions = SessionStore(store: store)
        }

        /// Makes the audit table refuse every insert, or only those matching `condition`.
        func refuseAudit(when condition: String = "1") throws {
            try database.pool.write { db in
                try db.execute(sql: "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit WHEN \(condition) BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
            }
        }

        func allowAudit() throws {
            try database.pool.write { db in try db.execute(sql: "DROP TRIGGER refuse_audit") }
        }

        func count(_ table: String) throws -> Int {
            try database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
        }

        /// The captured log lines, once every line written so far is out.
        var lines: [String] {
            sink.flush()
            return sink.capturedLines
        }

        static func event(_ action: String, outcome: String = "ok") -> AuditEvent {
            AuditEvent(actor: "alice", role: "admin", source: "127.0.0.1", action: action, target: "/login", outcome: outcome, correlationID: "req-1")
        }
    }

    @Test("a session and its audit entry are committed together or not at all; the refusal is logged with its reason")
    func changeIsAllOrNothing() async throws {
        let fixture = try Fixture()
        try fixture.refuseAudit()
        await #expect(throws: AdminError.auditUnavailable) {
            let (_, session) = fixture.sessions.make(subject: "alice", role: .admin, source: "127.0.0.1")
            try await fixture.audit.createSession(session, audited: Fixture.event("sign-in"), now: Date(), logger: fixture.logger)
        }
        #expect(try fixture.count("sessions") == 0, "no session without its audit entry")
        #expect(try fixture.count("audit") == 0)
        let logged = fixture.lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .first { $0["message"] as? String == "an admin request was refused: its audit entry could not be written" }
        #expect(logged?["action"] as? String == "sign-in")
        #expect((logged?["reason"] as? String)?.contains("refused by the test") == true, "\(fixture.lines)")

        try fixture.allowAudit()
        let (_, session) = fixture.sessions.make(subject: "alice", role: .admin, source: "127.0.0.1")
        try await fixture.audit.createSession(session, audited: Fixture.event("sign-in"), now: Date(), logger: fixture.logger)
        #expect(try await fixture.sessions.active().map(\.idHash) == [session.idHash])
        #expect(try await fixture.audit.store.all().map(\.outcome) == ["ok"])
        try fixture.database.close()
    }

    @Test("a refused change writes nothing and is audited as failed")
    func refusalIsAuditedAndRolledBack() async throws {
        let fixture = try Fixture()
        await #expect(throws: AdminError.notFound("no live session x")) {
            try await fixture.audit.revokeSession(idHash: "x", audited: Fixture.event("session-revoke"), refusal: .notFound("no live session x"),
                                                  logger: fixture.logger)
        }
        #expect(try fixture.count("sessions") == 0, "the refused change wrote nothing")
        #expect(try await fixture.audit.store.all().map(\.outcome) == ["failed: no live session x"])
        try fixture.database.close()
    }

    @Test("an entry written before an action throws when refused; an outcome after it is logged, not thrown")
    func recordAndOutcome() async throws {
        let fixture = try Fixture()
        try fixture.refuseAudit(when: "NEW.outcome <> 'requested'")
        try await fixture.audit.record(Fixture.event("queue-pause", outcome: AdminAudit.requested), logger: fixture.logger)
        await fixture.audit.recordOutcome(Fixture.event("queue-pause"), logger: fixture.logger)
        #expect(try await fixture.audit.store.all().map(\.outcome) == ["requested"])
        #expect(fixture.lines.contains { $0.contains("the outcome of an admin action could not be written to the audit trail") && $0.contains("refused by the test") })
        await #expect(throws: AdminError.auditUnavailable) {
            try await fixture.audit.record(Fixture.event("forbidden", outcome: "denied"), logger: fixture.logger)
        }
        #expect(try fixture.count("audit") == 1)
        try fixture.database.close()
    }
}
