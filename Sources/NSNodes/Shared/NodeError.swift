import HTTPTypes
import Hummingbird

/// The errors a node's handlers throw on purpose. Each maps to exactly one HTTP status and problem
/// type in ``problem``; handlers never build error responses themselves.
public enum NodeError: Error, Sendable, Equatable {
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

    /// The status and problem document for this error.
    public var problem: ProblemDetails {
        switch self {
        case .badRequest(let detail):
            ProblemDetails(slug: "bad-request", title: "Malformed request", status: .badRequest, detail: detail)
        case .invalidFields(let errors):
            ProblemDetails(slug: "validation", title: "The request has invalid fields", status: .unprocessableContent,
                           detail: "\(errors.count) field(s) failed validation", errors: errors)
        case .notFound(let detail):
            ProblemDetails(slug: "not-found", title: "Not found", status: .notFound, detail: detail)
        case .unauthorized(let detail, _):
            ProblemDetails(slug: "unauthorized", title: "Unauthorized", status: .unauthorized, detail: detail)
        case .forbidden(let detail):
            ProblemDetails(slug: "forbidden", title: "Forbidden", status: .forbidden, detail: detail)
        case .conflict(let detail):
            ProblemDetails(slug: "conflict", title: "Conflict", status: .conflict, detail: detail)
        case .rateLimited(let who, let seconds):
            ProblemDetails(slug: "rate-limited", title: "Too many requests", status: .tooManyRequests,
                           detail: "the rate limit for \(who) is used up; retry in \(seconds) s")
        case .unsupportedMediaType(let detail):
            ProblemDetails(slug: "unsupported-media-type", title: "Unsupported media type", status: .unsupportedMediaType, detail: detail)
        case .dependencyUnavailable(let dependency, _):
            ProblemDetails(slug: "unavailable", title: "Service temporarily unavailable", status: .serviceUnavailable,
                           detail: "\(dependency) is unavailable; retry later")
        case .methodNotAllowed(let method, let path, let allowed):
            ProblemDetails(slug: "method-not-allowed", title: "Method not allowed", status: .methodNotAllowed,
                           detail: "\(path) does not accept \(method); it accepts \(allowed.joined(separator: ", "))")
        }
    }

    /// Headers that go with the problem (`Retry-After` for 429 and 503, `WWW-Authenticate` for 401,
    /// `Allow` for 405).
    public var headers: HTTPFields {
        switch self {
        case .dependencyUnavailable(_, let seconds): [.retryAfter: String(seconds)]
        case .unauthorized(_, let presented):
            [.wwwAuthenticate: presented ? "Bearer realm=\"neuroswarm\", error=\"invalid_token\"" : "Bearer realm=\"neuroswarm\""]
        case .rateLimited(_, let seconds): [.retryAfter: String(seconds)]
        case .methodNotAllowed(_, _, let allowed): [.allow: allowed.joined(separator: ", ")]
        default: [:]
        }
    }
}
