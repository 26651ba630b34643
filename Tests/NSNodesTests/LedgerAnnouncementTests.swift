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
        await HostAssembly.announceLedger(ledger.sqliteReader, origin: "neuroswarm.test/ledger", checkpointPublicKey: "key", logger: log.logger("ns-node"),
                                internalErrors: InternalErrors(metrics: metrics, logger: log.logger("ns-node")))
        let ready = log.records.filter { $0["message"] == "ledger ready" }
        #expect(ready.count == 1)
        #expect(ready.first?["logSize"] == "1")
        #expect(metrics.internalErrors("ledger_log_size") == 0)
        try ledger.database.close()
    }

    @Test("a ledger whose database is closed: the size is left out, and the failure is counted and logged with SQLite's reason")
    func unreadable() async throws {
        let ledger = try LiveLedgerNode()
        try ledger.database.close()
        let log = CapturedLog()
        let metrics = NodeMetrics(node: "ns-node")
        await HostAssembly.announceLedger(ledger.sqliteReader, origin: "neuroswarm.test/ledger", checkpointPublicKey: "key", logger: log.logger("ns-node"),
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

/// An SQLite ledger left at `DB_PATH` when ns-node runs on PostgreSQL is not served: the operator
/// is told, so clients missing its chain are not a surprise.
@Suite("ns-node on PostgreSQL: the SQLite ledger file left at DB_PATH")
struct LedgerFileNoticeTests {
    @Test("a file with blocks past genesis: one warning naming it and its height; genesis only or no file: nothing")
    func warnsOnlyForBlocks() async throws {
        let ledger = try LiveLedgerNode()
        let path = ledger.database.path
        let log = CapturedLog()
        LedgerFileNotice.warnIfIgnored(path, logger: log.logger("ns-node"))
        #expect(log.records.isEmpty, "genesis only: \(log.records)")

        try await ledger.commit([try LiveLedgerNode.tx(job: "job-1", submitter: "alice", text: "one")])
        LedgerFileNotice.warnIfIgnored(path, logger: log.logger("ns-node"))
        let warnings = log.records.filter { $0["level"] == "warning" }
        #expect(warnings.count == 1, "\(log.records)")
        #expect(warnings.first?["message"]?.contains("ignored while DATABASE_URL is set") == true)
        #expect(warnings.first?["path"] == path && warnings.first?["height"] == "1")

        LedgerFileNotice.warnIfIgnored(path + ".absent", logger: log.logger("ns-node"))
        #expect(log.records.count == 1)
        try ledger.database.close()
    }
}
