/// An error that says, next to its own type, which HTTP answer it becomes: its status, the
/// problem type clients branch on, and what may be shown to them.
///
/// The ledger's, the queue's and the transaction format's errors conform in their own modules, so
/// a new case is given its status where it is written; the nodes' problem middleware turns any
/// conforming error into an RFC 9457 document without knowing the type. The modules below the
/// nodes have no HTTP dependency, hence plain status codes here.
public protocol ProblemError: Error, Sendable {
    /// The answer a client gets for this error.
    var httpProblem: HTTPProblem { get }
}

/// What a ``ProblemError`` tells a client: everything an RFC 9457 document and its headers need.
public struct HTTPProblem: Sendable, Equatable {
    /// One failing input, located by a JSON pointer (RFC 6901).
    public struct FieldError: Codable, Sendable, Equatable {
        public var pointer: String
        public var detail: String

        public init(pointer: String, detail: String) {
            self.pointer = pointer
            self.detail = detail
        }
    }

    public var status: Int
    /// The last part of the problem type URI (`https://neuroswarm.dev/problems/<slug>`): stable, clients branch on it.
    public var slug: String
    public var title: String
    /// Safe to show: it holds no secret and no internal error text.
    public var detail: String
    public var fieldErrors: [FieldError]
    /// For a refused block: the rule it broke (`height`, `signature`, ...).
    public var check: String?
    /// Sent as `Retry-After`: the failure is temporary (a dependency is down, a buffer is full).
    public var retryAfterSeconds: Int?
    /// Further headers the answer needs (`WWW-Authenticate` on a 401, `Allow` on a 405).
    public var headers: [String: String]
    /// Why it happened, for the node's log only (a store's error text); never sent to the client.
    public var logReason: String?

    public init(status: Int, slug: String, title: String, detail: String, fieldErrors: [FieldError] = [], check: String? = nil,
                retryAfterSeconds: Int? = nil, headers: [String: String] = [:], logReason: String? = nil) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.check = check
        self.retryAfterSeconds = retryAfterSeconds
        self.headers = headers
        self.logReason = logReason
    }

    /// 400: a path or query parameter, or the body's JSON, is malformed.
    public static func badRequest(_ detail: String) -> HTTPProblem {
        HTTPProblem(status: 400, slug: "bad-request", title: "Malformed request", detail: detail)
    }

    /// 404: the thing named does not exist.
    public static func notFound(_ detail: String) -> HTTPProblem {
        HTTPProblem(status: 404, slug: "not-found", title: "Not found", detail: detail)
    }

    /// 503 with `Retry-After`: `dependency` is down and the request changed nothing; `reason` goes to the log.
    public static func unavailable(_ dependency: String, reason: String? = nil, retryAfterSeconds: Int = 1) -> HTTPProblem {
        HTTPProblem(status: 503, slug: "unavailable", title: "Service temporarily unavailable", detail: "\(dependency) is unavailable; retry later",
                    retryAfterSeconds: retryAfterSeconds, logReason: reason)
    }

    /// 422 naming each invalid field.
    public static func invalidFields(_ errors: [FieldError]) -> HTTPProblem {
        HTTPProblem(status: 422, slug: "validation", title: "The request has invalid fields",
                    detail: "\(errors.count) field(s) failed validation", fieldErrors: errors)
    }
}
