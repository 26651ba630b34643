import Hummingbird

/// Requires a valid bearer token (``TokenVerifier``) on every route it guards, and records the
/// token's `sub` on the context and in the access log.
struct TokenAuthMiddleware: RouterMiddleware {
    typealias Context = NodeRequestContext

    let verifier: TokenVerifier

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let user = try await verifier.verify(authorization: request.headers[.authorization])
        var context = context
        context.user = user
        context.accessLog.setUser(user.subject)
        return try await next(request, context)
    }
}
