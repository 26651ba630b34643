import Logging
import NSCore

/// Every state-changing action of the dashboard, with the role it needs. One table drives the
/// form routes, the confirmation pages, the JSON API and the RBAC test, so they cannot drift.
struct AdminAction: Sendable {
    let path: String
    let role: OperatorRole
    /// Shown on the confirmation button ("retry", "remove validator").
    let label: String
    /// The audit log's action name.
    let auditName: String
    /// The form fields that identify what is acted on (carried through the confirmation page).
    let fields: [String]
    let describe: @Sendable (AdminForm) -> String
    let target: @Sendable (AdminForm) -> String
    let effect: Effect

    /// What the action does, which decides how it is audited (``AdminContext/perform(_:actor:form:requestID:context:)``).
    /// Each returns the message shown after the redirect.
    enum Effect: Sendable {
        /// A call to another node (actor, form, request id), audited before it is made.
        case call(@Sendable (AdminContext, AdminAccess.Actor, AdminForm, String) async throws -> String)
        /// A change to the ``AdminStore`` (context, form, its audit entry with outcome `ok`, the
        /// request's logger). It must commit the entry with its write, through ``AdminAudit``, whose
        /// methods take the entry and write both in one transaction or neither.
        case local(@Sendable (AdminContext, AdminForm, _ audited: AuditEvent, Logger) async throws -> String)
    }
}

extension AdminAction {
    static let all: [AdminAction] = [
        AdminAction(path: "/dlq/retry", role: .operator, label: "retry", auditName: "dlq-retry", fields: ["id", "all"],
                    describe: { $0["all"] == "true" ? "Retry every job in the dead-letter queue." : "Retry job \($0["id"] ?? "")." },
                    target: { $0["all"] == "true" ? "all" : $0["id"] ?? "" }, effect: .call { admin, actor, form, requestID in
            let answer = try await admin.peers.queue("/v1/dlq/retry", method: "POST", body: try selection(form), actor: actor, requestID: requestID)
            return "retried \(answer["retried"]?.intValue ?? 0) job(s)"
        }),
        AdminAction(path: "/dlq/purge", role: .operator, label: "purge", auditName: "dlq-purge", fields: ["id", "all"],
                    describe: { $0["all"] == "true" ? "Delete every job in the dead-letter queue for good." : "Delete job \($0["id"] ?? "") for good." },
                    target: { $0["all"] == "true" ? "all" : $0["id"] ?? "" }, effect: .call { admin, actor, form, requestID in
            let answer = try await admin.peers.queue("/v1/dlq/purge", method: "POST", body: try selection(form), actor: actor, requestID: requestID)
            return "purged \(answer["purged"]?.intValue ?? 0) job(s)"
        }),
        AdminAction(path: "/jobs/cancel", role: .operator, label: "cancel", auditName: "job-cancel", fields: ["id"],
                    describe: { "Cancel job \($0["id"] ?? "") (only while it is queued or waiting to retry)." },
                    target: { $0["id"] ?? "" }, effect: .call { admin, actor, form, requestID in
            _ = try await admin.peers.queue("/v1/jobs/\(try jobID(form))/cancel", method: "POST", actor: actor, requestID: requestID)
            return "job \(form["id"] ?? "") cancelled"
        }),
        AdminAction(path: "/queue/pause", role: .operator, label: "pause the queue", auditName: "queue-pause", fields: [],
                    describe: { _ in "Stop workers from leasing jobs until the queue is resumed." }, target: { _ in "queue" }, effect: .call { admin, actor, _, requestID in
            _ = try await admin.peers.queue("/v1/queue/pause", method: "POST", actor: actor, requestID: requestID)
            return "queue paused"
        }),
        AdminAction(path: "/queue/resume", role: .operator, label: "resume the queue", auditName: "queue-resume", fields: [],
                    describe: { _ in "Let workers lease jobs again." }, target: { _ in "queue" }, effect: .call { admin, actor, _, requestID in
            _ = try await admin.peers.queue("/v1/queue/resume", method: "POST", actor: actor, requestID: requestID)
            return "queue resumed"
        }),
        AdminAction(path: "/validators/add", role: .admin, label: "add validator", auditName: "validator-add", fields: ["name", "publicKey"],
                    describe: { "Add validator \($0["name"] ?? "") with key \($0["publicKey"] ?? ""), from the next block." },
                    target: { "\($0["name"] ?? "") \($0["publicKey"] ?? "")" }, effect: .call { admin, actor, form, requestID in
            guard let name = form["name"], !name.isEmpty, let key = form["publicKey"], !key.isEmpty else {
                throw AdminError.badInput("name and publicKey are required")
            }
            let answer = try await admin.peers.ledger("POST", "/v1/validators", body: [
                "action": "add", "name": .string(name), "publicKey": .string(key), "requestedBy": .string(actor.subject),
            ], requestID: requestID)
            return "validator \(name) added from height \(answer["effectiveHeight"]?.intValue ?? 0)"
        }),
        AdminAction(path: "/validators/remove", role: .admin, label: "remove validator", auditName: "validator-remove", fields: ["id"],
                    describe: { "Remove validator \($0["id"] ?? ""), from the next block." }, target: { $0["id"] ?? "" }, effect: .call { admin, actor, form, requestID in
            guard let id = form["id"], !id.isEmpty else { throw AdminError.badInput("id is required") }
            let answer = try await admin.peers.ledger("POST", "/v1/validators", body: [
                "action": "remove", "id": .string(id), "requestedBy": .string(actor.subject),
            ], requestID: requestID)
            return "validator \(id) removed from height \(answer["effectiveHeight"]?.intValue ?? 0)"
        }),
        AdminAction(path: "/sessions/revoke", role: .admin, label: "revoke session", auditName: "session-revoke", fields: ["session"],
                    describe: { "End session \($0["session"]?.prefix(12) ?? "") now." }, target: { String($0["session"]?.prefix(12) ?? "") },
                    effect: .local { admin, form, audited, logger in
            let session = form["session"] ?? ""
            try await admin.audit.revokeSession(idHash: session, audited: audited, refusal: .notFound("no live session \(session)"), logger: logger)
            return "session revoked"
        }),
    ]

    private static func selection(_ form: AdminForm) throws -> JSONValue {
        if form["all"] == "true" { return ["all": true] }
        return ["ids": [.string(try jobID(form))]]
    }

    private static func jobID(_ form: AdminForm) throws -> String {
        guard let id = form["id"], !id.isEmpty, id.count <= 128, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
            throw AdminError.badInput("a job id is required (letters, digits, _ and -)")
        }
        return id
    }
}
