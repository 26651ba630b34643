import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import NSTestSupport
import Testing
@testable import NSNodes

/// An error no problem mapping knows becomes a 500 naming only the correlation id. The log says
/// why (the error's text when it is known to hold no secret, its type otherwise), and
/// `ns_internal_errors_total{operation="request"}` counts it, also when inner middleware (CORS)
/// turned the error into the response itself.
@Suite("unexpected errors: a 500, counted, logged with a reason that holds no secret")
struct UnexpectedErrorTests {
    static let origin = "https://app.example"

    static func blueprint(database: DatabaseQueue, metrics: NodeMetrics) -> NodeBlueprint {
        NodeBlueprint(checks: []) { router in
            router.get("/database") { _, _ -> String in
                try await database.read { db in try String.fetchOne(db, sql: "SELECT name FROM missing") } ?? ""
            }
            router.get("/quoting") { _, _ -> String in throw QuotingFailure() }
            router.group("/browser").add(middleware: CORSMiddleware(origins: [origin], internalErrors: metrics.internalErrors))
                .get("/quoting") { _, _ -> String in throw QuotingFailure() }
        }
    }

    @Test("each failed request is logged with its correlation id and counted; an unknown error's text never reaches the log")
    func countedAndLogged() async throws {
        let database = try DatabaseQueue(path: try Tools.temporaryDirectory("unexpected-errors") + "/node.db")
        let log = CapturedLog()
        let metrics = NodeMetrics(node: "test-node")
        let router = NodeRouter.make(service: "test-node", blueprint: Self.blueprint(database: database, metrics: metrics), metrics: metrics, metricsEnabled: true,
                                     healthTimeout: .seconds(30))
        let app = Application(router: router, logger: log.logger("test-node"))
        try await app.test(.live) { client in
            let requests: [(uri: String, id: String, headers: HTTPFields)] = [
                ("/database", "e-1", [:]), ("/quoting", "e-2", [:]), ("/browser/quoting", "e-3", [.origin: Self.origin]),
            ]
            for request in requests {
                var headers = request.headers
                headers[.requestID] = request.id
                try await client.execute(uri: request.uri, method: .get, headers: headers) { response in
                    #expect(response.status == .internalServerError, "\(request.uri)")
                    #expect(!String(buffer: response.body).contains("missing"), "the response names nothing but the correlation id")
                }
            }
        }
        #expect(metrics.internalErrors("request") == 3)
        let lines = log.records(operation: "request")
        #expect(lines.count == 3, "every failed request is logged: \(lines)")
        #expect(lines.map { $0["correlationId"] } == ["e-1", "e-2", "e-3"])
        #expect(lines.allSatisfy { $0["level"] == "error" && $0["message"] == "request failed" })
        #expect(lines.first?["reason"] == "SQLite error 1: no such table: missing")
        #expect(lines.first?["error"] == "GRDB.DatabaseError")
        for line in lines.dropFirst() {
            #expect(line["error"]?.hasSuffix("QuotingFailure") == true, "\(line)")
            #expect(line["reason"]?.contains("QuotingFailure") == true, "\(line)")
        }
        #expect(!log.text.contains("secret-part"), "the error's text quoted a token")
    }
}
