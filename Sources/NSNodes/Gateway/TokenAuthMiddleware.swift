import Hummingbird

/// Requires a valid bearer token (``TokenVerifier``) on every route it guards, and records the
/// token's `sub` on the context and in the access log; a refused token's reason goes into the
/// access log as `authError` (the token itself never does).
struct TokenAuthMiddleware: RouterMiddleware {
    typealias Context = NodeRequestContext

    let verifier: TokenVerifier

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let user: AuthenticatedUser
        do {
            user = try await verifier.verify(authorization: request.headers[.authorization])
        } catch {
            if case .unauthorized(let reason, _) = error { context.accessLog.setAuthError(reason) }
            throw error
        }
        var context = context
        context.user = user
        context.accessLog.setUser(user.subject)
        return try await next(request, context)
    }
}
