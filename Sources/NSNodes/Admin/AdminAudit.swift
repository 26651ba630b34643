import Foundation
import Logging
import NSCore

/// admin-node's rule for its audit trail: nothing that needs an entry happens without one. Every
/// entry is written through here, before or together with what it records; when the
/// ``AdminStore`` refuses it, the reason goes to the log and the request ends with
/// ``AdminError/auditUnavailable`` (503) with nothing changed.
struct AdminAudit: Sendable {
    let store: any AdminStore

    /// The outcome of a call to another node, written before the call is made.
    static let requested = "requested"

    /// An entry about `action` by `actor` in the current request.
    static func event(_ actor: AdminAccess.Actor, _ action: String, target: String, outcome: String,
                      _ context: NodeRequestContext) -> AuditEvent {
        AuditEvent(actor: actor.subject, role: actor.role.rawValue, source: actor.source, action: action, target: target,
                   outcome: outcome, correlationID: context.requestID)
    }

    /// The outcome an entry records for an action refused with `refusal`.
    static func failed(_ refusal: AdminError) -> String { "failed: \(refusal.detail)" }

    /// Appends `event` before what it records happens (a refusal answered, a call to another node
    /// made). Throws ``AdminError/auditUnavailable`` when the store refuses it: the caller must
    /// then stop.
    func record(_ event: AuditEvent, logger: Logger) async throws {
        _ = try await committing(event, logger) { try await store.append(event, now: Date()) }
    }

    /// Appends the outcome of a call another node has already acted on. Its ``requested`` entry is
    /// in the trail, so a refusal here is logged and not thrown: the caller must still hear what
    /// the node did.
    func recordOutcome(_ event: AuditEvent, logger: Logger) async {
        do {
            _ = try await store.append(event, now: Date())
        } catch {
            logger.error("the outcome of an admin action could not be written to the audit trail; its requested entry is there",
                         metadata: Self.metadata(event, error))
        }
    }

    /// Sign-in: stores `session` and appends `event` in one transaction, both or neither; throws
    /// ``AdminError/auditUnavailable`` when the store refuses them.
    func createSession(_ session: AdminSession, audited event: AuditEvent, now: Date, logger: Logger) async throws {
        _ = try await committing(event, logger) { try await store.createSession(session, audited: event, now: now) }
    }

    /// Ends the live session `idHash` and appends `event` in one transaction, both or neither
    /// (``AdminError/auditUnavailable`` when the store refuses them); returns whether one ended.
    /// With a `refusal`, no live session is a refused action: the entry records
    /// `failed: <detail>` instead of `event`'s outcome and `refusal` is thrown once it is committed.
    @discardableResult
    func revokeSession(idHash: String, audited event: AuditEvent, refusal: AdminError?, logger: Logger) async throws -> Bool {
        let ended = try await committing(event, logger) {
            try await store.revokeSession(idHash: idHash, audited: event, now: Date(), failedOutcome: refusal.map(Self.failed))
        }
        if !ended, let refusal { throw refusal }
        return ended
    }

    /// Runs `write`, a store call that commits `event`'s entry; any failure refuses the request.
    private func committing<T>(_ event: AuditEvent, _ logger: Logger, _ write: () async throws -> T) async throws(AdminError) -> T {
        do {
            return try await write()
        } catch {
            logger.error("an admin request was refused: its audit entry could not be written", metadata: Self.metadata(event, error))
            throw .auditUnavailable
        }
    }

    private static func metadata(_ event: AuditEvent, _ error: any Error) -> Logger.Metadata {
        ["action": .string(event.action), "actor": .string(event.actor), "outcome": .string(event.outcome), "reason": .string("\(error)")]
    }
}
