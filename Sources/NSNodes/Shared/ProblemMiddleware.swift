import HTTPTypes
import Hummingbird
import Logging
import NSCore
import NSLedger
import NSQueue

/// Turns every error a handler throws into an `application/problem+json` response: the one place
/// where errors become HTTP statuses.
///
/// ``NodeError`` maps to its own problem; Hummingbird's `HTTPError` (unknown route, wrong method,
/// body too large, undecodable body) keeps its status; anything else is a 500 whose detail names
/// only the correlation id, while the error itself goes to the log.
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = NodeRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Self.response(for: error, request: request, context: context)
        }
    }

    static func response(for error: any Error, request: Request, context: Context) -> Response {
        let instance = request.uri.path
        switch error {
        case let error as NodeError:
            return error.problem.response(instance: instance, correlationId: context.requestID, headers: error.headers)
        case let error as BlockRejection:
            var problem = ProblemDetails(
                slug: "block-\(error.check)", title: error.isConflict ? "The block conflicts with the current tip" : "The block is invalid",
                status: error.isConflict ? .conflict : (error.check == "unavailable" ? .serviceUnavailable : .unprocessableContent),
                detail: error.description)
            problem.check = error.check
            let headers: HTTPFields = error.check == "unavailable" ? [.retryAfter: "1"] : [:]
            return problem.response(instance: instance, correlationId: context.requestID, headers: headers)
        case let error as LedgerError:
            let (status, slug, headers): (HTTPResponse.Status, String, HTTPFields) = switch error {
            case .mempoolFull: (.serviceUnavailable, "mempool-full", [.retryAfter: "1"])
            case .outOfRange: (.badRequest, "out-of-range", [:])
            case .notFound: (.notFound, "not-found", [:])
            case .storage: (.serviceUnavailable, "unavailable", [.retryAfter: "1"])
            }
            return ProblemDetails(slug: slug, title: status.reasonPhrase, status: status, detail: error.description)
                .response(instance: instance, correlationId: context.requestID, headers: headers)
        case let error as ValidatorChangeError:
            let isStorage = if case .storage = error { true } else { false }
            let status: HTTPResponse.Status = isStorage ? .serviceUnavailable : .conflict
            return ProblemDetails(slug: error.slug, title: isStorage ? status.reasonPhrase : "The change conflicts with the validator set",
                                  status: status, detail: error.description)
                .response(instance: instance, correlationId: context.requestID, headers: isStorage ? [.retryAfter: "1"] : [:])
        case let error as JobQueueError:
            let nodeError: NodeError = switch error {
            case .invalid(let index, let reason): .invalidFields([.init(pointer: "/\(index)", detail: reason)])
            case .notFound(let id): .notFound(detail: "no job \(id)")
            case .unavailable, .leaseLost: .dependencyUnavailable(dependency: "the job queue", retryAfterSeconds: 1)
            }
            if case .unavailable(let reason) = error {
                context.logger.warning("job queue unavailable", metadata: ["reason": .string(reason)])
            }
            return nodeError.problem.response(instance: instance, correlationId: context.requestID, headers: nodeError.headers)
        case let error as TransactionError:
            return NodeError.invalidFields([.init(pointer: error.pointer, detail: error.reason)]).problem
                .response(instance: instance, correlationId: context.requestID)
        case let error as CanonicalJSONError:
            return NodeError.badRequest(detail: error.description).problem.response(instance: instance, correlationId: context.requestID)
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
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
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
