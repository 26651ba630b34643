import HTTPTypes
import Hummingbird
import Logging

/// Records every answered request: one structured access-log line (as in the seeds' example) and
/// the node's request counter and latency histogram, labelled by route template.
///
/// Probes (`/health`, `/metrics`) are logged at debug level so schedulers polling them do not
/// drown the log.
public struct ObservabilityMiddleware: RouterMiddleware {
    public typealias Context = NodeRequestContext

    let metrics: NodeMetrics
    static let quietPaths: Set<String> = ["/health", "/metrics"]

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
        let level: Logger.Level = Self.quietPaths.contains(request.uri.path) ? .debug : .info
        var metadata = Logger.Metadata(minimumCapacity: 6)
        context.accessLog.adding(to: &metadata)
        metadata["method"] = .string(request.method.rawValue)
        metadata["route"] = .string(route)
        metadata["status"] = .stringConvertible(response.status.code)
        metadata["durationMs"] = .stringConvertible((elapsed / .milliseconds(1) * 1000).rounded() / 1000)
        context.logger.log(level: level, "request", metadata: metadata)
        return response
    }
}
