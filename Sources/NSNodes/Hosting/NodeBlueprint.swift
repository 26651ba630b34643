import Hummingbird
import Logging

/// What one role contributes to its HTTP application: the dependencies `/health` probes and
/// the role's own routes. Shared middleware, `/health` and `/metrics` are added by ``NodeRouter``.
public struct NodeBlueprint: Sendable {
    public var checks: [DependencyCheck]
    public var routes: @Sendable (Router<NodeRequestContext>) -> Void

    public init(checks: [DependencyCheck], routes: @escaping @Sendable (Router<NodeRequestContext>) -> Void = { _ in }) {
        self.checks = checks
        self.routes = routes
    }
}

/// Builds a node's router: correlation ids, access log and metrics, problem details, then
/// `/health`, `/metrics`, the role's routes, and 405 for a known path asked with another method.
public enum NodeRouter {
    public static func make(service: String, blueprint: NodeBlueprint, metrics: NodeMetrics, metricsEnabled: Bool,
                            healthTimeout: Duration) -> Router<NodeRequestContext> {
        let router = Router(context: NodeRequestContext.self)
        router.add(middleware: CorrelationMiddleware())
        router.add(middleware: ObservabilityMiddleware(metrics: metrics))
        router.add(middleware: ProblemMiddleware(internalErrors: metrics.internalErrors))
        HealthRoutes.add(to: router, checker: HealthChecker(service: service, checks: blueprint.checks, timeout: healthTimeout))
        MetricsRoutes.add(to: router, metrics: metrics, enabled: metricsEnabled)
        blueprint.routes(router)
        // Added last, so it wraps only the not-found responder: a known path with another method is 405.
        router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
        return router
    }
}
