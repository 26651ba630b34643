import HTTPTypes
import Hummingbird

/// Answers a request for a known path with a method the path does not serve as 405 with an
/// `Allow` header (RFC 9110 §15.5.6), where Hummingbird alone would say 404.
///
/// ``NodeRouter`` adds it after every route, so it wraps only the router's not-found responder:
/// matched requests never pass through it.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = NodeRequestContext

    /// Each routed path with the methods it serves, in a stable order.
    let routes: [(path: RouterPath, methods: [String])]

    init(routes: [Router<NodeRequestContext>.RouteDescription]) {
        var methods: [String: (path: RouterPath, methods: Set<String>)] = [:]
        for route in routes {
            methods[route.path.description, default: (route.path, [])].methods.insert(route.method.rawValue)
        }
        self.routes = methods.keys.sorted().compactMap { key in methods[key].map { ($0.path, $0.methods.sorted()) } }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let segments = request.uri.path.split(separator: "/", omittingEmptySubsequences: true)
        let allowed = Set(routes.filter { Self.matches($0.path, segments) }.flatMap(\.methods))
        guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { return try await next(request, context) }
        throw NodeError.methodNotAllowed(method: request.method.rawValue, path: request.uri.path, allowed: allowed.sorted())
    }

    /// Whether `path` (constants, `{captures}`, `*` and a trailing `**`) matches the segments.
    static func matches(_ path: RouterPath, _ segments: [Substring]) -> Bool {
        var index = 0
        for element in path.components {
            if element.description == "**" { return true }
            guard index < segments.count, element ~= segments[index] else { return false }
            index += 1
        }
        return index == segments.count
    }
}
