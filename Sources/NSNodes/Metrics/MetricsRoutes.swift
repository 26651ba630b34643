import HTTPTypes
import Hummingbird

/// `GET /metrics` in the Prometheus text exposition format (version 0.0.4).
public enum MetricsRoutes {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Adds the route unless metrics are disabled (`ENABLE_METRICS=false`), in which case the
    /// path is simply unknown and answers 404.
    public static func add(to router: Router<NodeRequestContext>, metrics: NodeMetrics, enabled: Bool) {
        guard enabled else { return }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
    }
}
