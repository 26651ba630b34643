import Foundation
import Logging
import NSCore
import NSQueue
import NSRedis
import NSTestSupport
import Testing
@testable import NSNodes

/// vp-node's housekeeping against a real redis-server that goes away: recovering expired leases, deleting finished jobs
/// and reading the queue's gauges fail every second, and each failure is counted and logged
/// with Redis's reason (never its password), once a minute rather than every round.
@Suite("queue housekeeping: failed store calls are counted and logged")
struct HousekeepingFailureTests {
    static let operations = ["queue_recover_expired", "queue_retention", "queue_counts", "queue_store_usage"]

    @Test("with Redis stopped, every failed round is counted per call, and each call's failure is logged once with the reason")
    func redisDown() async throws {
        let password = "housekeeping-pass-8d2f"
        let redis = try await RedisServer(password: password)
        // A literal URL with a port number: always valid.
        let client = RedisClient(configuration: try RedisConfiguration(url: URL(string: redis.url)!, poolSize: 1, connectTimeout: .milliseconds(500),
                                                                       commandTimeout: .seconds(1)))
        let queue = RedisJobQueue(client: client)
        let log = CapturedLog()
        let metrics = NodeMetrics(node: "vp-node")
        let workers = Self.workers(queue, gauges: QueueMetrics(factory: metrics.factory), metrics: metrics, logger: log.logger("vp-node"))

        // A working store: a round reports nothing.
        await workers.housekeepOnce()
        for operation in Self.operations { #expect(metrics.internalErrors(operation) == 0, "\(operation)") }

        await redis.stop()
        for _ in 0..<3 { await workers.housekeepOnce() }
        for operation in Self.operations {
            #expect(metrics.internalErrors(operation) == 3, "\(operation): every failed round is counted")
            let lines = log.records(operation: operation)
            #expect(lines.count == 1, "\(operation): logged once within the minute, not every round: \(lines)")
            #expect(lines.first?["reason"]?.contains("Redis is unreachable") == true, "\(operation): \(lines)")
            #expect(lines.first?["level"] == "warning")
        }
        #expect(log.records(operation: "queue_recover_expired").first?["message"]?.contains("expired leases") == true)
        #expect(!log.text.contains(password))
    }

    @Test("a SQLite queue whose table is gone: the failed recovery is counted and logged with SQLite's reason")
    func sqliteTableGone() async throws {
        let fixture = try GatewayFixture()
        try await fixture.database.pool.write { try $0.execute(sql: "DROP TABLE jobs") }
        let log = CapturedLog()
        let metrics = NodeMetrics(node: "vp-node")
        // As nsd builds them for SQLite: no gauges to refresh (they are read at scrape time).
        let workers = Self.workers(fixture.queue, gauges: nil, metrics: metrics, logger: log.logger("vp-node"))
        await workers.housekeepOnce()
        await workers.housekeepOnce()
        #expect(metrics.internalErrors("queue_recover_expired") == 2)
        #expect(metrics.internalErrors("queue_counts") == 0, "without gauges the counts are not read")
        let lines = log.records(operation: "queue_recover_expired")
        #expect(lines.count == 1)
        #expect(lines.first?["reason"]?.contains("no such table: jobs") == true, "\(lines)")
    }

    static func workers(_ queue: any JobQueue, gauges: QueueMetrics?, metrics: NodeMetrics, logger: Logger) -> QueueWorkers {
        // Nobody listens on port 9; housekeeping never calls ns-node.
        let away = PeerAddress(url: URL(string: "http://127.0.0.1:9")!)  // a literal URL
        return QueueWorkers(queue: queue, processor: ArtifactProcessor(sanitiser: SanitiserCache(sanitiser: PromptSanitiser()), sandbox: nil, concurrentSnippets: 1, privacy: .published),
                            sender: TransactionSender(ledger: LedgerCalls(address: away, token: Secret("internal-token"), timeout: .seconds(1),
                                                                          client: .nodeFailingFast)),
                            ledger: nil, count: 0, batch: 1, gauges: gauges, metrics: metrics, logger: logger)
    }
}
