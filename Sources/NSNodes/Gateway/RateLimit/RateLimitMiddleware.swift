import HTTPTypes
import Hummingbird

/// Counts each request against its client and refuses it with 429 and `Retry-After` once the
/// window's allowance is used up. Every response it passes carries `RateLimit-Limit`,
/// `RateLimit-Remaining` and `RateLimit-Reset` (seconds).
///
/// Two instances run on the API routes: one before authentication keyed by client address (so
/// token guessing is limited too) and one after it keyed by the token's `sub`. When both set the
/// headers, the tighter allowance (fewer remaining) is the one reported.
public struct RateLimitMiddleware: RouterMiddleware {
    public typealias Context = NodeRequestContext

    public enum Scope: Sendable {
        case clientAddress(ClientAddress)
        case subject
    }

    let limiter: any RateLimiter
    let scope: Scope
    let internalErrors: InternalErrors?

    /// `internalErrors` counts the unexpected errors it answers for the routes inside it.
    public init(limiter: any RateLimiter, scope: Scope, internalErrors: InternalErrors?) {
        self.limiter = limiter
        self.scope = scope
        self.internalErrors = internalErrors
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let key: String
        let who: String
        switch scope {
        case .clientAddress(let resolver):
            key = "ip:" + resolver.resolve(peer: context.remoteAddress, forwardedFor: request.headers[.forwardedFor])
            who = "this client address"
        case .subject:
            guard let user = context.user else { return try await next(request, context) }
            key = "sub:" + user.subject
            who = "user \(user.subject) (the token's sub)"
        }
        let decision = await limiter.hit(key)
        var response: Response
        if decision.allowed {
            do {
                response = try await next(request, context)
            } catch {
                response = ProblemMiddleware.response(for: error, request: request, context: context, internalErrors: internalErrors)
            }
        } else {
            response = NodeError.rateLimited(who: who, retryAfterSeconds: decision.resetSeconds).httpProblem
                .response(instance: request.uri.path, correlationId: context.requestID)
        }
        Self.report(decision, on: &response.headers)
        return response
    }

    static func report(_ decision: RateLimitDecision, on headers: inout HTTPFields) {
        if let existing = headers[.rateLimitRemaining].flatMap(Int.init), existing <= decision.remaining { return }
        headers[.rateLimitLimit] = String(decision.limit)
        headers[.rateLimitRemaining] = String(decision.remaining)
        headers[.rateLimitReset] = String(decision.resetSeconds)
    }
}
