import Foundation
import HTTPTypes
import Hummingbird
import NSCore

/// Who is asking, and whether they may: resolves the session cookie (pages) or a bearer token
/// signed with `ADMIN_JWT_SECRET` (scripts on `/api/`), enforces the route's minimum role and,
/// for forms, the session's CSRF token. Every refusal of a signed-in user is audited; one whose
/// entry cannot be written is answered 503 (``AdminAudit``).
struct AdminAccess: Sendable {
    /// The person behind a request.
    struct Actor: Sendable {
        let subject: String
        let role: OperatorRole
        /// Present for cookie sessions; bearer callers have none (and need no CSRF token).
        let session: AdminSession?
        let source: String
    }

    let sessions: SessionStore
    let cookie: SessionCookie
    let tokens: TokenVerifier
    let audit: AdminAudit
    let addresses: ClientAddress

    func source(_ request: Request, _ context: NodeRequestContext) -> String {
        addresses.resolve(peer: context.remoteAddress, forwardedFor: request.headers[.forwardedFor])
    }

    /// Whether the browser reached us over HTTPS: a trusted proxy (`TRUSTED_PROXIES`) says so in
    /// `X-Forwarded-Proto`. nsd itself serves plain HTTP.
    func overTLS(_ request: Request, _ context: NodeRequestContext) -> Bool {
        guard let proto = request.headers[HTTPField.Name("X-Forwarded-Proto")!], proto.lowercased() == "https" else { return false }  // a valid token literal
        return addresses.isTrustedProxy(context.remoteAddress?.ipAddress ?? "")
    }

    /// The actor, if any, without enforcing a role.
    func actor(_ request: Request, _ context: NodeRequestContext) async throws -> Actor? {
        let source = source(request, context)
        if request.uri.path.hasPrefix("/api/"), let authorization = request.headers[.authorization] {
            let user: AuthenticatedUser
            do {
                user = try await tokens.verify(authorization: authorization)
            } catch {
                if case .unauthorized(let reason, _) = error { context.accessLog.setAuthError(reason) }
                throw AdminError.signInRequired
            }
            return Actor(subject: user.subject, role: user.role ?? .viewer, session: nil, source: source)
        }
        guard let id = cookie.id(in: request.headers), let session = try await sessions.session(id: id) else { return nil }
        return Actor(subject: session.subject, role: session.role, session: session, source: source)
    }

    /// The actor, when signed in with at least `role`; otherwise throws (and audits a forbidden attempt).
    func require(_ role: OperatorRole, _ request: Request, _ context: NodeRequestContext) async throws -> Actor {
        guard let actor = try await actor(request, context) else { throw AdminError.signInRequired }
        guard actor.role >= role else {
            try await audit.record(AdminAudit.event(actor, "forbidden", target: "\(request.method.rawValue) \(request.uri.path)",
                                              outcome: "denied: needs \(role.rawValue)", context), logger: context.logger)
            throw AdminError.forbidden(needed: role)
        }
        return actor
    }

    /// For a form post: the actor with at least `role`, and a matching CSRF token in `form`.
    func requireForm(_ role: OperatorRole, _ request: Request, _ context: NodeRequestContext, form: AdminForm) async throws -> Actor {
        let actor = try await require(role, request, context)
        if let session = actor.session {
            guard ConstantTime.equal(form["csrf"] ?? "", session.csrf) else {
                try await audit.record(AdminAudit.event(actor, "csrf-rejected", target: "\(request.method.rawValue) \(request.uri.path)",
                                                  outcome: "denied", context), logger: context.logger)
                throw AdminError.csrfRejected
            }
        }
        return actor
    }
}
