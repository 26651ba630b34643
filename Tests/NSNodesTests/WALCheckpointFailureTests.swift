import Foundation
import GRDB
import NSTestSupport
import Testing
@testable import NSNodes

/// A background checkpoint pass that fails leaves the WAL to grow; it must not do so unnoticed.
/// The checkpointing connection here is read-only, so SQLite fails every pass (as it would on a
/// database file the process can no longer write) while the pool's commits go on.
@Suite("WAL checkpoints: a failed background pass is counted and logged")
struct WALCheckpointFailureTests {
    @Test("every failed pass is counted, and logged once a minute with SQLite's reason and the database's path")
    func failedPass() async throws {
        let path = try Tools.temporaryDirectory("wal-checkpoint-failure") + "/node.db"
        let log = CapturedLog()
        let metrics = NodeMetrics(node: "ns-node")
        let checkpointer = WALCheckpointer(threshold: 8, hardLimit: 100_000,
                                           internalErrors: InternalErrors(metrics: metrics, logger: log.logger("ns-node")))
        var configuration = Configuration()
        configuration.prepareDatabase { db in checkpointer.install(on: db) }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try WALCheckpointerTests.migrator.migrate(pool)
        var readOnly = Configuration()
        readOnly.readonly = true
        let checkpointing = try DatabaseQueue(path: path, configuration: readOnly)
        let passes = Task { await checkpointer.run(checkpointing: checkpointing, pool: pool) }

        // Each burst of commits takes the WAL past the threshold and asks for a pass.
        var failed = 0
        var committed = 0
        for _ in 0..<100 where failed < 3 {
            for _ in 0..<10 {
                try await pool.write { db in try db.execute(sql: "INSERT INTO blobs (body) VALUES (randomblob(4000))") }
                committed += 1
            }
            try await Task.sleep(for: .milliseconds(20))
            failed = metrics.internalErrors("wal_checkpoint")
        }
        #expect(failed >= 3, "failed passes counted: \(failed)")
        let lines = log.records(operation: "wal_checkpoint")
        #expect(lines.count == 1, "logged once within the minute: \(lines)")
        // SQLite answers SQLITE_IOERR (10) or, in some versions, SQLITE_READONLY (8).
        let reason = lines.first?["reason"] ?? ""
        #expect(["SQLite error 10: ", "SQLite error 8: "].contains { reason.hasPrefix($0) }, "\(lines)")
        #expect(lines.first?["database"] == path)
        #expect(lines.first?["message"]?.contains("WAL checkpoint failed") == true)
        // Commits are not affected: every row is there.
        #expect(try await pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM blobs") } == committed)

        checkpointer.stop()
        await passes.value
        try checkpointing.close()
        try pool.close()
    }
}
