import Foundation
import GRDB
import Logging
import NSCore

/// admin-node's rule for its audit trail: nothing that needs an entry happens without one. Every
/// entry is written through here, before or together with what it records; when admin.db refuses
/// it, the reason goes to the log and the request ends with ``AdminError/auditUnavailable`` (503)
/// with nothing changed.
struct AdminAudit: Sendable {
    let log: AuditLog

    /// The outcome of a call to another node, written before the call is made.
    static let requested = "requested"

    /// An entry about `action` by `actor` in the current request.
    static func event(_ actor: AdminAccess.Actor, _ action: String, target: String, outcome: String,
                      _ context: NodeRequestContext) -> AuditLog.Event {
        AuditLog.Event(actor: actor.subject, role: actor.role.rawValue, source: actor.source, action: action, target: target,
                       outcome: outcome, correlationID: context.requestID)
    }

    /// Appends `event` before what it records happens (a refusal answered, a call to another node
    /// made). Throws ``AdminError/auditUnavailable`` when admin.db refuses it: the caller must then
    /// stop.
    func record(_ event: AuditLog.Event, logger: Logger) throws {
        do {
            try log.append(event)
        } catch {
            throw refused(event, error, logger)
        }
    }

    /// Appends the outcome of a call another node has already acted on. Its ``requested`` entry is
    /// in the trail, so a refusal here is logged and not thrown: the caller must still hear what
    /// the node did.
    func recordOutcome(_ event: AuditLog.Event, logger: Logger) {
        do {
            try log.append(event)
        } catch {
            logger.error("the outcome of an admin action could not be written to the audit trail; its requested entry is there",
                                 metadata: Self.metadata(event, error))
        }
    }

    /// Runs `change` on admin.db and appends `event` in one transaction: both are committed or
    /// neither. An ``AdminError`` thrown by `change` is a refusal: what `change` wrote is rolled
    /// back, the entry records `failed: <detail>` and is committed, and the refusal is rethrown.
    /// Any other failure, the entry's included, rolls everything back and throws
    /// ``AdminError/auditUnavailable``.
    func change<T>(_ event: AuditLog.Event, logger: Logger, _ body: (Database) throws -> T) throws -> T {
        let result: Result<T, AdminError>
        do {
            result = try log.pool.write { db in
                let outcome: Result<T, AdminError>
                try db.execute(sql: "SAVEPOINT admin_change")
                do {
                    outcome = .success(try body(db))
                } catch let refusal as AdminError {
                    try db.execute(sql: "ROLLBACK TO SAVEPOINT admin_change")
                    outcome = .failure(refusal)
                }
                try db.execute(sql: "RELEASE SAVEPOINT admin_change")
                var entry = event
                if case .failure(let refusal) = outcome { entry.outcome = "failed: \(refusal.detail)" }
                try log.append(entry, in: db)
                return outcome
            }
        } catch {
            throw refused(event, error, logger)
        }
        return try result.get()
    }

    /// Logs why admin.db refused `event` and returns the error that refuses the request.
    private func refused(_ event: AuditLog.Event, _ error: any Error, _ logger: Logger) -> AdminError {
        logger.error("an admin request was refused: its audit entry could not be written", metadata: Self.metadata(event, error))
        return .auditUnavailable
    }

    private static func metadata(_ event: AuditLog.Event, _ error: any Error) -> Logger.Metadata {
        ["action": .string(event.action), "actor": .string(event.actor), "outcome": .string(event.outcome), "reason": .string("\(error)")]
    }
}
