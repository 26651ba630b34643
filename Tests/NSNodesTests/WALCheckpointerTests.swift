import Foundation
import GRDBSQLite
import Synchronization
import GRDB
import NSTestSupport
import Testing
@testable import NSNodes

/// Background WAL checkpoints on a real SQLite file, with small thresholds so a test writes
/// hundreds of pages rather than tens of thousands.
@Suite("WAL checkpoints in the background")
struct WALCheckpointerTests {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator.node("test")
        migrator.registerMigration("blobs") { db in try db.execute(sql: "CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL)") }
        return migrator
    }

    static func open(threshold: Int32, hardLimit: Int32) throws -> (NodeDatabase, String) {
        let path = try Tools.temporaryDirectory("wal-checkpoints") + "/node.db"
        let database = try NodeDatabase(path: path, variable: "DB_PATH", migrator: Self.migrator,
                                        checkpointer: WALCheckpointer(threshold: threshold, hardLimit: hardLimit))
        return (database, path)
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// One commit per 4 KiB blob: about one WAL page each, plus the b-tree pages they touch.
    static func write(_ database: NodeDatabase, commits: Int) async throws {
        for _ in 0..<commits {
            try await database.pool.write { db in try db.execute(sql: "INSERT INTO blobs (body) VALUES (randomblob(4000))") }
        }
    }

    @Test("past the threshold, the WAL is copied into the database file without a commit doing it")
    func backgroundCheckpoint() async throws {
        let (database, path) = try Self.open(threshold: 64, hardLimit: 100_000)
        let before = Self.size(path)
        try await Self.write(database, commits: 100)
        // Only the background task can have checkpointed: the hard limit is out of reach.
        var grown = false
        for _ in 0..<200 where !grown {
            grown = Self.size(path) > before + 64 * 4_096
            if !grown { try await Task.sleep(for: .milliseconds(25)) }
        }
        #expect(grown, "the database file stayed at \(Self.size(path)) bytes: no checkpoint ran")
        #expect(try await database.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM blobs") } == 100)
        try database.close()
    }

    @Test("under a steady stream of commits the WAL stays bounded, and every row survives reopening")
    func boundedWAL() async throws {
        let (database, path) = try Self.open(threshold: 64, hardLimit: 256)
        var largest = 0
        for _ in 0..<20 {
            try await Self.write(database, commits: 50)
            largest = max(largest, Self.size(path + "-wal"))
        }
        // The WAL file is reused from its start after a complete checkpoint; it never holds much
        // more than the hard limit (plus the frames of the commit that crossed it).
        #expect(largest <= (256 + 64) * (4_096 + 24) + 32, "the WAL reached \(largest) bytes")
        try database.close()
        let reopened = try NodeDatabase(path: path, variable: "DB_PATH", migrator: Self.migrator)
        #expect(try await reopened.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM blobs") } == 1_000)
        try reopened.close()
    }
}

/// The committing connection's own checkpoint can fail (another connection is checkpointing, the
/// disk is full); the commit it follows has happened all the same and must be reported so.
@Suite("WAL checkpoints past the hard limit")
struct HardLimitCheckpointTests {
    @Test("a commit whose own checkpoint answers SQLITE_BUSY still succeeds, and its rows are there")
    func busyCheckpointDoesNotFailTheCommit() async throws {
        let path = try Tools.temporaryDirectory("wal-hard-limit") + "/node.db"
        let attempts = Attempts()
        // The fake acts out the background connection holding the checkpoint lock.
        let checkpointer = WALCheckpointer(threshold: 100_000, hardLimit: 1) { _, _ in
            attempts.add()
            return SQLITE_BUSY
        }
        let database = try NodeDatabase(path: path, variable: "DB_PATH", migrator: WALCheckpointerTests.migrator, checkpointer: checkpointer)
        try await WALCheckpointerTests.write(database, commits: 20)
        #expect(attempts.count >= 20, "the hard-limit checkpoint ran on \(attempts.count) commits")
        #expect(try await database.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM blobs") } == 20)
        try database.close()
    }

    final class Attempts: Sendable {
        private let value = Mutex(0)
        var count: Int { value.withLock { $0 } }
        func add() { value.withLock { $0 += 1 } }
    }
}
