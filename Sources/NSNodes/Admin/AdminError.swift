import Foundation
import HTTPTypes
import Hummingbird
import NSCore

/// What admin-node refuses or cannot do, mapped in one place (``AdminErrorMiddleware``) to a
/// page for browsers and to problem details for `/api/` callers.
enum AdminError: Error, Sendable, Equatable {
    /// No session (pages: back to the sign-in page).
    case signInRequired
    /// Signed in, but the role is below what the route needs.
    case forbidden(needed: OperatorRole)
    /// A state-changing form without the session's CSRF token.
    case csrfRejected
    case badInput(String)
    case notFound(String)
    /// A node refused the action as conflicting with its state (cancelling a finished job); its detail.
    case conflict(String)
    /// A node the page or action needs did not answer, or refused.
    case upstream(String)
    /// admin.db refused the request's audit entry, so nothing was done (the reason is in the log).
    case auditUnavailable

    var status: HTTPResponse.Status {
        switch self {
        case .signInRequired: .unauthorized
        case .forbidden, .csrfRejected: .forbidden
        case .badInput: .badRequest
        case .notFound: .notFound
        case .conflict: .conflict
        case .upstream: .badGateway
        case .auditUnavailable: .serviceUnavailable
        }
    }

    var title: String {
        switch self {
        case .signInRequired: "Sign-in required"
        case .forbidden: "Forbidden"
        case .csrfRejected: "Form expired"
        case .badInput: "Bad request"
        case .notFound: "Not found"
        case .conflict: "Conflict"
        case .upstream: "A node did not answer"
        case .auditUnavailable: "Audit trail unavailable"
        }
    }

    var detail: String {
        switch self {
        case .signInRequired: "sign in with a token from `nsctl token create --admin`"
        case .forbidden(let needed): "this needs the \(needed.rawValue) role"
        case .csrfRejected: "the form's security token is missing or wrong; reload the page and try again"
        case .badInput(let detail), .notFound(let detail), .conflict(let detail), .upstream(let detail): detail
        case .auditUnavailable: "admin-node could not write the audit entry for this request, so nothing was done; its log says why"
        }
    }

    /// The challenge with a 401 for `/api/` callers, and `Retry-After` with a 503 as every node sends it.
    var headers: HTTPFields {
        switch self {
        case .signInRequired: [.wwwAuthenticate: "Bearer realm=\"neuroswarm-admin\""]
        case .auditUnavailable: [.retryAfter: "10"]
        default: [:]
        }
    }
}

/// Turns ``AdminError`` into responses: problem+json under `/api/`, otherwise a redirect to the
/// sign-in page (no session) or an error page.
struct AdminErrorMiddleware: RouterMiddleware {
    let pages: AdminPages

    func handle(_ request: Request, context: NodeRequestContext, next: (Request, NodeRequestContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as AdminError {
            if request.uri.path.hasPrefix("/api/") {
                let problem = ProblemDetails(slug: "admin-\(error.status.code)", title: error.title, status: error.status, detail: error.detail)
                return problem.response(instance: request.uri.path, correlationId: context.requestID, headers: error.headers)
            }
            if error == .signInRequired {
                return Response(status: .seeOther, headers: [.location: "/login?next=\(Self.encode(request.uri.path))"])
            }
            return pages.error(error)
        }
    }

    static func encode(_ path: String) -> String {
        path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-_."))) ?? "/"
    }
}
