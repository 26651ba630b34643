import HTTPTypes
import Hummingbird

/// Cross-origin access for browser clients (`ENABLE_CORS`, `CORS_ORIGIN`).
///
/// Only a listed origin is echoed in `Access-Control-Allow-Origin` (with `Vary: Origin`); `*` in
/// the list allows any origin and is refused at start-up in production. A preflight (`OPTIONS`
/// with `Access-Control-Request-Method`) from a listed origin gets 204 with the allowed methods
/// and headers; from any other origin, 403 problem details. Requests without `Origin` pass untouched.
struct CORSMiddleware: RouterMiddleware {
    typealias Context = NodeRequestContext

    let allowedOrigins: Set<String>
    let allowsAnyOrigin: Bool
    static let allowedMethods = "GET, POST, OPTIONS"
    static let allowedHeaders = "Authorization, Content-Type, Idempotency-Key, X-Request-ID"
    static let exposedHeaders = "Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-Request-ID, Idempotent-Replayed"
    static let maxAgeSeconds = "600"
    let internalErrors: InternalErrors?

    /// `internalErrors` counts the unexpected errors it answers for the routes inside it.
    init(origins: [String], internalErrors: InternalErrors?) {
        self.internalErrors = internalErrors
        allowsAnyOrigin = origins.contains("*")
        allowedOrigins = Set(origins.filter { $0 != "*" })
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let allowed = allowsAnyOrigin || allowedOrigins.contains(origin)
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            guard allowed else {
                throw NodeError.forbidden(detail: "origin \(origin) is not allowed; add it to CORS_ORIGIN")
            }
            var response = Response(status: .noContent)
            response.headers[.accessControlAllowMethods] = Self.allowedMethods
            response.headers[.accessControlAllowHeaders] = Self.allowedHeaders
            response.headers[.accessControlMaxAge] = Self.maxAgeSeconds
            decorate(&response.headers, origin: origin)
            return response
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = ProblemMiddleware.response(for: error, request: request, context: context, internalErrors: internalErrors)
        }
        if allowed {
            decorate(&response.headers, origin: origin)
            response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
        }
        return response
    }

    private func decorate(_ headers: inout HTTPFields, origin: String) {
        headers[.accessControlAllowOrigin] = allowsAnyOrigin ? "*" : origin
        if !allowsAnyOrigin { headers[.vary] = "Origin" }
    }
}
