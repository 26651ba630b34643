import Foundation
import Testing
@testable import NSNodes

/// ns-node's "ledger ready" line reads the log size for the operator. A read that fails must not
/// pass for an empty ledger (it used to be logged as 0): the line leaves the size out and the
/// failure is counted and logged with its reason.
@Suite("ns-node's startup line: the log size, or the reason it could not be read")
struct LedgerAnnouncementTests {
    @Test("a readable ledger: the line carries its log size and nothing is reported")
    func readable() async throws {
        let ledger = try LiveLedgerNode()
        try await ledger.commit([try LiveLedgerNode.tx(job: "job-1", submitter: "alice", text: "one")])
        let log = CapturedLog()
        let metrics = NodeMetrics(node: "ns-node")
        HostAssembly.announceLedger(ledger.sqliteReader, origin: "neuroswarm.test/ledger", checkpointPublicKey: "key", logger: log.logger("ns-node"),
                                internalErrors: InternalErrors(metrics: metrics, logger: log.logger("ns-node")))
        let ready = log.records.filter { $0["message"] == "ledger ready" }
        #expect(ready.count == 1)
        #expect(ready.first?["logSize"] == "1")
        #expect(metrics.internalErrors("ledger_log_size") == 0)
        try ledger.database.close()
    }

    @Test("a ledger whose database is closed: the size is left out, and the failure is counted and logged with SQLite's reason")
    func unreadable() throws {
        let ledger = try LiveLedgerNode()
        try ledger.database.close()
        let log = CapturedLog()
        let metrics = NodeMetrics(node: "ns-node")
        HostAssembly.announceLedger(ledger.sqliteReader, origin: "neuroswarm.test/ledger", checkpointPublicKey: "key", logger: log.logger("ns-node"),
                                internalErrors: InternalErrors(metrics: metrics, logger: log.logger("ns-node")))
        let ready = log.records.filter { $0["message"] == "ledger ready" }
        #expect(ready.count == 1)
        #expect(ready.first?["logSize"] == nil, "not claimed to be 0: \(ready)")
        #expect(ready.first?["origin"] == "neuroswarm.test/ledger")
        #expect(metrics.internalErrors("ledger_log_size") == 1)
        let failures = log.records(operation: "ledger_log_size")
        #expect(failures.count == 1)
        #expect(failures.first?["reason"] == "SQLite error 21: Connection is closed", "\(failures)")
    }
}
