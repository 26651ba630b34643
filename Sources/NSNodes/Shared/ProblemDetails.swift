import HTTPTypes
import Foundation
import Hummingbird
import NSCore

/// An RFC 9457 problem details document, the body of every error response.
///
/// `type` is a stable URI per problem kind under `https://neuroswarm.dev/problems/`, so clients
/// can branch on it; `detail` is safe to show and never holds secrets or internal error text.
public struct ProblemDetails: Codable, Sendable, Equatable {
    /// One failing input, located by a JSON pointer (RFC 6901).
    public typealias FieldError = HTTPProblem.FieldError

    public static let mediaType = "application/problem+json"

    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    public var instance: String?
    public var correlationId: String?
    public var errors: [FieldError]?
    /// For a refused block: the validation rule it broke (`height`, `signature`, ...).
    public var check: String?

    public init(slug: String, title: String, status: HTTPResponse.Status, detail: String? = nil, errors: [FieldError]? = nil) {
        self.type = "https://neuroswarm.dev/problems/\(slug)"
        self.title = title
        self.status = status.code
        self.detail = detail
        self.errors = errors
    }

    /// The document for an error that says its own answer (``ProblemError``).
    public init(_ problem: HTTPProblem) {
        self.init(slug: problem.slug, title: problem.title, status: .init(code: problem.status), detail: problem.detail,
                  errors: problem.fieldErrors.isEmpty ? nil : problem.fieldErrors)
        check = problem.check
    }

    /// The response carrying this document, with the correlation id and any extra headers.
    public func response(instance: String?, correlationId: String, headers extra: HTTPFields = [:]) -> Response {
        var document = self
        document.instance = instance
        document.correlationId = correlationId
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a struct of strings, ints and arrays of the same cannot fail.
        let body = (try? encoder.encode(document)) ?? Data("{}".utf8)
        var headers = extra
        headers[.contentType] = Self.mediaType
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension HTTPProblem {
    /// The `application/problem+json` response for this answer, with `Retry-After` and its other headers.
    public func response(instance: String?, correlationId: String) -> Response {
        var fields = HTTPFields()
        if let retryAfterSeconds { fields[.retryAfter] = String(retryAfterSeconds) }
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            // The names are written in this code base (Allow, WWW-Authenticate), always valid field names.
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        return ProblemDetails(self).response(instance: instance, correlationId: correlationId, headers: fields)
    }
}
