import HTTPTypes
import Hummingbird
import Logging
import NSCore
import NSNodeClient

/// Records every answered request: one structured access-log line (as in the seeds' example) and
/// the node's request counter and latency histogram, labelled by route template.
///
/// Info level keeps what an operator reads the log for: client requests, every answer that is
/// not 2xx, and slow requests. Probes (`/health`, `/metrics`) and successful node-to-node calls
/// (user agent `nsd/…`: the block producer polls ns-node three times a second even when idle)
/// are logged at debug level, so an idle nsd writes almost nothing. The client API (`/api/…`)
/// is always logged: a client cannot hide its requests by claiming to be a node.
public struct ObservabilityMiddleware: RouterMiddleware {
    public typealias Context = NodeRequestContext

    let metrics: NodeMetrics

    public init(metrics: NodeMetrics) {
        self.metrics = metrics
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = ProblemMiddleware.response(for: error, request: request, context: context, internalErrors: metrics.internalErrors)
        }
        let elapsed = ContinuousClock.now - start
        // endpointPath is shared with the inner context copies, so it holds the matched template here.
        let route = context.endpointPath ?? "unmatched"
        metrics.recordRequest(route: route, method: request.method, status: response.status, duration: elapsed)
        let level = Self.level(route: route, status: response.status.code, userAgent: request.headers[.userAgent], duration: elapsed)
        guard level >= context.logger.logLevel else { return response }
        let entry = context.accessLog.entry(method: request.method.rawValue, route: route, status: response.status.code, duration: elapsed)
        // The JSON handler writes the line without building metadata; any other handler gets it as metadata.
        if !((context.logger.handler as? JSONLogHandler)?.logAccess(entry, level: level) ?? false) {
            context.logger.log(level: level, "\(AccessLogEntry.message)", metadata: entry.metadata)
        }
        return response
    }

    /// A request slower than this is logged at info even when it is a quiet one.
    static let slowRequest = Duration.milliseconds(500)

    static func level(route: String, status: Int, userAgent: String?, duration: Duration) -> Logger.Level {
        guard (200..<300).contains(status), duration < slowRequest else { return .info }
        if route == "/health" || route == "/metrics" { return .debug }
        if userAgent?.hasPrefix(NodeClient.Caller.node.userAgentPrefix) == true && !route.hasPrefix("/api/") { return .debug }
        return .info
    }
}
