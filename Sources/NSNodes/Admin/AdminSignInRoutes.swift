import Foundation
import HTTPTypes
import Hummingbird
import NSCore

/// `/login` and `/logout`: a token from `nsctl token create --admin` becomes a server-side
/// session and its signed cookie. A refused token sends the browser back with one generic
/// message; the audit log records the attempt and the access log why the token was refused. A
/// session is created and ended in the transaction that writes its audit entry: when the store
/// refuses the entry, the answer is 503 and the session is neither created nor ended.
struct AdminSignInRoutes: Sendable {
    let admin: AdminContext

    func add(to router: some RouterMethods<NodeRequestContext>) {
        router.get("/login") { request, context in
            if try await admin.access.actor(request, context) != nil { return Response(status: .seeOther, headers: [.location: "/"]) }
            let query = request.uri.queryParameters
            var data: [String: Any] = ["next": Self.safeNext(query.get("next"))]
            // Only a message gets a flash box: Mustache would print an absent one as "nil".
            if query.get("error") != nil { data["error"] = "That token was not accepted. Check that it is current and signed with ADMIN_JWT_SECRET." }
            return admin.pages.render("login", title: "Sign in", actor: nil, data: data)
        }
        router.post("/login") { request, context in
            let form = try await AdminForm.read(request)
            let source = admin.access.source(request, context)
            let token = (form["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard let user = await verified(token, context), let role = user.role else {
                try await admin.audit.record(.init(actor: "-", role: "-", source: source, action: "sign-in-failed", target: "/login",
                                             outcome: "denied", correlationID: context.requestID), logger: context.logger)
                return Response(status: .seeOther, headers: [.location: "/login?error=1"])
            }
            let actor = AdminAccess.Actor(subject: user.subject, role: role, session: nil, source: source)
            let now = Date()
            let (id, session) = admin.sessions.make(subject: user.subject, role: role, source: source, now: now)
            try await admin.audit.createSession(session, audited: AdminAudit.event(actor, "sign-in", target: "/login", outcome: "ok", context),
                                                now: now, logger: context.logger)
            return Response(status: .seeOther, headers: [.location: Self.safeNext(form["next"]), .setCookie: admin.cookie.setCookie(id: id, overTLS: admin.access.overTLS(request, context))])
        }
        router.post("/logout") { request, context in
            let form = try await AdminForm.read(request)
            let actor = try await admin.access.requireForm(.viewer, request, context, form: form)
            let event = AdminAudit.event(actor, "sign-out", target: "/logout", outcome: "ok", context)
            if let session = actor.session {
                try await admin.audit.revokeSession(idHash: session.idHash, audited: event, refusal: nil, logger: context.logger)
            } else {
                try await admin.audit.record(event, logger: context.logger)
            }
            return Response(status: .seeOther, headers: [.location: "/login", .setCookie: admin.cookie.clearCookie])
        }
    }

    /// The token's user, or `nil` with the reason in the access log (the browser gets one generic message).
    private func verified(_ token: String, _ context: NodeRequestContext) async -> AuthenticatedUser? {
        do {
            let user = try await admin.access.tokens.verify(authorization: "Bearer \(token)")
            if user.role == nil { context.accessLog.setAuthError("the token has no role; mint it with nsctl token create --admin --role R") }
            return user
        } catch {
            if case .unauthorized(let reason, _) = error { context.accessLog.setAuthError(reason) }
            return nil
        }
    }

    /// Only same-site paths: an attacker's `next=https://evil` or `//evil` becomes `/`.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\") else { return "/" }
        return next
    }
}
