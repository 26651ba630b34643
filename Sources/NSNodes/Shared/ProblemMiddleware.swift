import HTTPTypes
import Hummingbird
import Logging
import NSCore

/// Turns every error a handler throws into an `application/problem+json` response: the one place
/// where errors become HTTP responses.
///
/// An error that says its own answer (``ProblemError``: the nodes' ``NodeError``, the ledger's,
/// the queue's, the transaction format's) gets it; Hummingbird's `HTTPError` (unknown route, wrong method, body
/// too large, undecodable body) keeps its status; anything else is a 500 whose detail names only
/// the correlation id, while the error goes to the log (its text only when
/// ``InternalErrors/reason(of:)`` knows it holds no secret) and to `ns_internal_errors_total`.
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = NodeRequestContext

    let internalErrors: InternalErrors?

    /// `internalErrors` counts the unexpected errors (500s) of the requests it wraps; `nil`: logged only.
    public init(internalErrors: InternalErrors?) {
        self.internalErrors = internalErrors
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Self.response(for: error, request: request, context: context, internalErrors: internalErrors)
        }
    }

    /// The problem response for `error`. Middleware that answers errors itself (CORS, rate
    /// limits) passes its node's `internalErrors`, so an unexpected one is counted there too.
    static func response(for error: any Error, request: Request, context: Context, internalErrors: InternalErrors?) -> Response {
        let instance = request.uri.path
        switch error {
        case let error as any ProblemError:
            let problem = error.httpProblem
            if let reason = problem.logReason {
                context.logger.warning("request refused: a dependency is unavailable",
                                       metadata: ["problem": .string(problem.slug), "reason": .string(reason)])
            }
            return problem.response(instance: instance, correlationId: context.requestID)
        case let error as HTTPError:
            let problem = ProblemDetails(
                slug: slug(for: error.status), title: error.status.reasonPhrase, status: error.status,
                detail: error.body ?? defaultDetail(for: error.status, request: request))
            return problem.response(instance: instance, correlationId: context.requestID, headers: error.headers)
        case let error as any HTTPResponseError:
            let problem = ProblemDetails(
                slug: slug(for: error.status), title: error.status.reasonPhrase, status: error.status,
                detail: defaultDetail(for: error.status, request: request))
            return problem.response(instance: instance, correlationId: context.requestID)
        default:
            (internalErrors ?? InternalErrors(metrics: nil, logger: context.logger))
                .record(.request, reason: InternalErrors.reason(of: error), metadata: ["error": .string(String(reflecting: type(of: error)))],
                        logger: context.logger)
            let problem = ProblemDetails(
                slug: "internal", title: "Internal error", status: .internalServerError,
                detail: "the request failed inside the server; quote correlation id \(context.requestID) when reporting it")
            return problem.response(instance: instance, correlationId: context.requestID)
        }
    }

    private static func slug(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "bad-request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not-found"
        case 405: "method-not-allowed"
        case 413: "payload-too-large"
        case 415: "unsupported-media-type"
        case 422: "validation"
        case 429: "rate-limited"
        case 503: "unavailable"
        default: "http-\(status.code)"
        }
    }

    private static func defaultDetail(for status: HTTPResponse.Status, request: Request) -> String {
        switch status.code {
        case 404: "no route for \(request.method) \(request.uri.path)"
        case 405: "\(request.uri.path) does not accept \(request.method)"
        default: status.reasonPhrase
        }
    }
}

extension InternalErrors.Operation {
    /// Every line is written: each names the correlation id its client was told to quote.
    static let request = Self(label: "request", message: "request failed", level: .error, throttled: false)
}
