import Foundation
import NSQueue
import Testing
@testable import NSNodes

/// With SQLite, vp-node reads the queue's gauges from the file at each scrape. A read that fails
/// is not dropped: each is counted in `ns_internal_errors_total`, and logged once a minute with
/// SQLite's reason, while the scrape itself still answers.
@Suite("SQLite queue gauges: a failed read at scrape time is counted and logged")
struct ScrapeGaugeFailureTests {
    @Test("a queue file whose table is gone: every scrape counts the failed read, one line names SQLite's reason")
    func tableGone() async throws {
        let fixture = try GatewayFixture()
        let log = CapturedLog()
        let metrics = NodeMetrics(node: "vp-node", logger: log.logger("vp-node"))
        ProducerNode.readGaugesAtScrape(fixture.queue, into: QueueMetrics(factory: metrics.factory), metrics: metrics)

        // Each reading of the counter is a scrape, which runs the hook first.
        #expect(metrics.internalErrors("queue_counts") == 0, "a working store: nothing counted")
        try await fixture.database.pool.write { try $0.execute(sql: "DROP TABLE jobs") }
        #expect(metrics.internalErrors("queue_counts") == 1)
        #expect(metrics.internalErrors("queue_counts") == 2, "every failed read is counted")
        #expect(String(decoding: metrics.render(), as: UTF8.self).contains("ns_queue_jobs"), "the scrape still answers, with the last values")
        let lines = log.records(operation: "queue_counts")
        #expect(lines.count == 1, "logged once within the minute: \(lines)")
        #expect(lines.first?["reason"]?.contains("no such table: jobs") == true, "\(lines)")
        #expect(lines.first?["level"] == "warning")
    }
}
