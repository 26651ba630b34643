import HTTPTypes
import Hummingbird
import Logging
import NSCore

/// Records every answered request: one structured access-log line (as in the seeds' example) and
/// the node's request counter and latency histogram, labelled by route template.
///
/// Probes (`/health`, `/metrics`) are logged at debug level so schedulers polling them do not
/// drown the log.
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
            response = ProblemMiddleware.response(for: error, request: request, context: context)
        }
        let elapsed = ContinuousClock.now - start
        // endpointPath is shared with the inner context copies, so it holds the matched template here.
        let route = context.endpointPath ?? "unmatched"
        metrics.recordRequest(route: route, method: request.method, status: response.status, duration: elapsed)
        let level: Logger.Level = route == "/health" || route == "/metrics" ? .debug : .info
        guard level >= context.logger.logLevel else { return response }
        let entry = context.accessLog.entry(method: request.method.rawValue, route: route, status: response.status.code, duration: elapsed)
        // The JSON handler writes the line without building metadata; any other handler gets it as metadata.
        if !((context.logger.handler as? JSONLogHandler)?.logAccess(entry, level: level) ?? false) {
            context.logger.log(level: level, "\(AccessLogEntry.message)", metadata: entry.metadata)
        }
        return response
    }
}
