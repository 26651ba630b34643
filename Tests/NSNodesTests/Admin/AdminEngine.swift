import Foundation
import GRDB
import NSCore
@testable import NSNodes
import NSTestSupport

/// The admin-node stores every conformance test runs against (``AdminStoreConformanceTests``).
/// An engine added here runs every test with no change to them.
enum AdminEngine: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite

    var description: String { rawValue }

    /// A fresh, empty store on a real database.
    func make() async throws -> AdminUnderTest {
        switch self {
        case .sqlite:
            let path = try Tools.temporaryDirectory("admin-store") + "/admin.db"
            let opened = OpenDatabases()
            let open: @Sendable () async throws -> SQLiteAdminStore = {
                var migrator = DatabaseMigrator.node("admin-node")
                AdminSchema.register(in: &migrator)
                let database = try NodeDatabase(path: path, variable: "--data-dir", migrator: migrator)
                await opened.add(database)
                return SQLiteAdminStore(pool: database.pool)
            }
            let store = try await open()
            return AdminUnderTest(store: store, sibling: { try await open() }, storedSessionHashes: {
                try await store.pool.read { db in try Set(String.fetchAll(db, sql: "SELECT id_hash FROM sessions")) }
            }, stopping: { try await opened.closeAll() })
        }
    }
}

/// A store under test, with what only the engine can answer, and what keeps it running.
struct AdminUnderTest: Sendable {
    let store: any AdminStore
    /// Another store on the same database (SQLite: a second pool on the same file), as a second
    /// admin-node would open it.
    let sibling: @Sendable () async throws -> any AdminStore
    /// The id hashes of every session row the database keeps, live or not: what pruning removes
    /// cannot be seen through ``AdminStore``, which shows live sessions only.
    let storedSessionHashes: @Sendable () async throws -> Set<String>
    let stopping: @Sendable () async throws -> Void

    /// Closes every store opened for the test (the sibling's too).
    func stop() async throws {
        try await stopping()
    }
}

/// The SQLite files a test opened, closed when it ends.
private actor OpenDatabases {
    private var databases: [NodeDatabase] = []

    func add(_ database: NodeDatabase) {
        databases.append(database)
    }

    func closeAll() throws {
        for database in databases { try database.close() }
        databases = []
    }
}
