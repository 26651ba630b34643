import HTTPTypes
import Foundation
import Hummingbird

/// `GET /health`: 200 with the report when every dependency answers, 503 naming the failing
/// ones otherwise. The body is the same JSON either way so monitors can read both.
public enum HealthRoutes {
    public static func add(to router: Router<NodeRequestContext>, checker: HealthChecker) {
        router.get("/health") { _, context in
            let report = await checker.report(requestID: context.requestID)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let body = try encoder.encode(report)
            var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
            if !report.isHealthy { headers[.retryAfter] = "5" }
            return Response(status: report.isHealthy ? .ok : .serviceUnavailable, headers: headers,
                            body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }
}
