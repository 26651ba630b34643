import HTTPTypes
import Hummingbird
import NSCore

/// Gives each request its correlation id: the client's `X-Request-ID` when it is 1 to 128
/// visible ASCII characters, a generated one otherwise. The id goes into the context (for
/// node-to-node calls), into every log line of the request, and back on the response.
public struct CorrelationMiddleware: RouterMiddleware {
    public typealias Context = NodeRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = RequestID.accept(request.headers[.requestID])
        context.requestID = id
        context.logger[metadataKey: JSONLogHandler.correlationKey] = .string(id)
        // Hummingbird's own per-connection counter would only repeat what correlationId says.
        context.logger[metadataKey: "hb.request.id"] = nil
        var response = try await next(request, context)
        response.headers[.requestID] = id
        return response
    }
}
