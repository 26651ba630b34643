import Foundation
import GRDB
import NSCore
import NSNodes
import NSTestSupport
import Testing

@Suite("node databases")
struct NodeDatabaseTests {
    @Test("opens in WAL mode with durable commits and the node_meta migration")
    func opensMigrated() async throws {
        let folder = try Tools.temporaryDirectory()
        let database = try NodeDatabase(path: folder + "/sub/node.db", variable: "DB_PATH", migrator: .node("ns-node"))
        let (mode, synchronous, owner) = try await database.pool.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"),
             try Int.fetchOne(db, sql: "PRAGMA synchronous"),
             try String.fetchOne(db, sql: "SELECT value FROM node_meta WHERE key = 'owner'"))
        }
        #expect(mode == "wal")
        #expect(synchronous == 2)  // FULL
        #expect(owner == "ns-node")
        let permissions = try FileManager.default.attributesOfItem(atPath: folder + "/sub")[.posixPermissions] as? Int
        #expect(permissions == 0o700)
        try database.close()
        // Reopening runs no migration twice.
        let again = try NodeDatabase(path: folder + "/sub/node.db", variable: "DB_PATH", migrator: .node("ns-node"))
        #expect(try await again.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM node_meta") } == 2)
        try again.close()
    }

    @Test("a writer cache, when asked for, sizes the writing connection only; readers and other databases keep SQLite's")
    func writerCache() async throws {
        let folder = try Tools.temporaryDirectory()
        let sized = try NodeDatabase(path: folder + "/ledger.db", variable: "DB_PATH", migrator: .node("ns-node"), writerCacheMiB: 64)
        let plain = try NodeDatabase(path: folder + "/queue.db", variable: "DB_PATH", migrator: .node("vp-node"))
        // Negative cache sizes are KiB.
        #expect(try await sized.pool.write { try Int.fetchOne($0, sql: "PRAGMA cache_size") } == -65_536)
        #expect(try await sized.pool.read { try Int.fetchOne($0, sql: "PRAGMA cache_size") } == -2_000)
        #expect(try await plain.pool.write { try Int.fetchOne($0, sql: "PRAGMA cache_size") } == -2_000)
        try sized.close()
        try plain.close()
    }

    @Test("a file that is not a database is a configuration error naming the variable")
    func notADatabase() throws {
        let folder = try Tools.temporaryDirectory()
        let path = folder + "/garbage.db"
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try NodeDatabase(path: path, variable: "DB_PATH", migrator: .node("ns-node"))
        } throws: { error in
            (error as? ConfigurationError)?.variable == "DB_PATH"
        }
    }
}
