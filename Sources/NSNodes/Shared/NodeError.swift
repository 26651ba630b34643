import NSCore

/// The errors a node's handlers throw on purpose. Each maps to exactly one HTTP status and problem
/// type in ``httpProblem``; handlers never build error responses themselves.
public enum NodeError: ProblemError, Equatable {
    /// A path or query parameter is malformed.
    case badRequest(detail: String)
    /// The request body failed validation; each field is named by a JSON pointer.
    case invalidFields([ProblemDetails.FieldError])
    /// The thing named does not exist.
    case notFound(detail: String)
    /// Missing or wrong credentials. `tokenPresented` says whether a token was sent (and refused),
    /// which RFC 6750 reports as `error="invalid_token"` in `WWW-Authenticate`.
    case unauthorized(detail: String, tokenPresented: Bool = true)
    /// Authenticated, but the resource belongs to someone else.
    case forbidden(detail: String)
    /// The request conflicts with an earlier one (an idempotency key reused for a different body).
    case conflict(detail: String)
    /// Over the rate limit; retry after the window resets. `who` names the counter that ran out
    /// ("this client address", "user alice (the token's sub)").
    case rateLimited(who: String, retryAfterSeconds: Int)
    /// The body's `Content-Type` is not `application/json` (``JSONMediaType``).
    case unsupportedMediaType(detail: String)
    /// A dependency (queue, ns-node, Redis) is down; the client should retry after the delay.
    case dependencyUnavailable(dependency: String, retryAfterSeconds: Int)
    /// The path exists but does not serve this method; `allowed` are the methods it serves.
    case methodNotAllowed(method: String, path: String, allowed: [String])

    /// The answer for this error: exactly one HTTP status and problem type per case.
    public var httpProblem: HTTPProblem {
        switch self {
        case .badRequest(let detail): .badRequest(detail)
        case .invalidFields(let errors): .invalidFields(errors)
        case .notFound(let detail): .notFound(detail)
        case .unauthorized(let detail, let presented):
            HTTPProblem(status: 401, slug: "unauthorized", title: "Unauthorized", detail: detail, headers: [
                "WWW-Authenticate": presented ? "Bearer realm=\"neuroswarm\", error=\"invalid_token\"" : "Bearer realm=\"neuroswarm\"",
            ])
        case .forbidden(let detail): HTTPProblem(status: 403, slug: "forbidden", title: "Forbidden", detail: detail)
        case .conflict(let detail): HTTPProblem(status: 409, slug: "conflict", title: "Conflict", detail: detail)
        case .rateLimited(let who, let seconds):
            HTTPProblem(status: 429, slug: "rate-limited", title: "Too many requests",
                        detail: "the rate limit for \(who) is used up; retry in \(seconds) s", retryAfterSeconds: seconds)
        case .unsupportedMediaType(let detail):
            HTTPProblem(status: 415, slug: "unsupported-media-type", title: "Unsupported media type", detail: detail)
        case .dependencyUnavailable(let dependency, let seconds): .unavailable(dependency, retryAfterSeconds: seconds)
        case .methodNotAllowed(let method, let path, let allowed):
            HTTPProblem(status: 405, slug: "method-not-allowed", title: "Method not allowed",
                        detail: "\(path) does not accept \(method); it accepts \(allowed.joined(separator: ", "))",
                        headers: ["Allow": allowed.joined(separator: ", ")])
        }
    }
}
