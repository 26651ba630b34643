import CoreMetrics
import HTTPTypes
import Logging
import NSCore
import Prometheus
import Synchronization

/// One node's metrics: its registry, the swift-metrics factory over it, HTTP request metrics and
/// the process metrics refreshed at each scrape.
public final class NodeMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// Pass this to swift-metrics types (`Counter(label:dimensions:factory:)`) so they land in this node's registry.
    public let factory: NodeMetricsFactory
    public let node: String
    /// This node's failures that have no caller to answer (``InternalErrors``), counted here.
    public let internalErrors: InternalErrors
    private let process: ProcessMetrics
    private let requestSeries = Mutex<[RequestKey: (CoreMetrics.Counter, CoreMetrics.Timer)]>([:])
    private let scrapeHooks = Mutex<[@Sendable () -> Void]>([])

    private struct RequestKey: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    /// `logger` writes the node's ``internalErrors`` lines (by default, one labelled with the node).
    public init(node: String, logger: Logger? = nil) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        self.factory = NodeMetricsFactory(registry: registry)
        self.node = node
        self.internalErrors = InternalErrors(series: (node, factory), logger: logger ?? Logger(label: node))
        self.process = ProcessMetrics(registry: registry)
        registry.makeGauge(descriptor: MetricCatalogue.descriptor("ns_build_info"),
                           labels: [("node", node), ("version", NeuroSwarmVersion.current)]).set(to: 1.0)
    }

    /// Records one answered request. `route` must be a route template (`/v1/blocks/{height}`),
    /// never a raw path, so the number of series stays bounded.
    public func recordRequest(route: String, method: HTTPRequest.Method, status: HTTPResponse.Status, duration: Duration) {
        let key = RequestKey(route: route, method: method.rawValue, status: status.code)
        let (counter, timer) = requestSeries.withLock { series in
            if let existing = series[key] { return existing }
            let dimensions = [("node", node), ("route", key.route), ("method", key.method), ("status", String(key.status))]
            let made = (CoreMetrics.Counter(label: "ns_http_requests_total", dimensions: dimensions, factory: factory),
                        CoreMetrics.Timer(label: "ns_http_request_duration_seconds", dimensions: dimensions, factory: factory))
            series[key] = made
            return made
        }
        counter.increment()
        timer.recordNanoseconds(Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// Runs `hook` before each scrape, to refresh gauges that are read rather than counted.
    public func beforeScrape(_ hook: @escaping @Sendable () -> Void) {
        scrapeHooks.withLock { $0.append(hook) }
    }

    /// The exposition text for `GET /metrics`.
    public func render() -> [UInt8] {
        process.update()
        for hook in scrapeHooks.withLock({ $0 }) { hook() }
        return registry.emitToBuffer()
    }
}
