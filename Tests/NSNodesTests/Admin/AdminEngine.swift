import Foundation
import GRDB
import Logging
import NSCore
@testable import NSNodes
import NSSQLite
import NSPostgres
import NSTestSupport
import PostgresNIO

/// The admin-node stores every conformance test runs against (``AdminStoreConformanceTests``).
/// An engine added here runs every test with no change to them.
enum AdminEngine: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

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
        case .postgres:
            let server = try await PostgresServer.shared()
            let name = "t_admin_" + UInt64.random(in: 0...UInt64.max).description
            try server.createDatabase(name)
            let url = try DatabaseURL(parsing: server.url(database: name) + "?sslmode=disable")
            let running = RunningDatabases()
            let database = try await running.start(url)
            let store = try await PostgresAdminStore.open(database: database)
            return AdminUnderTest(store: store, sibling: { try await PostgresAdminStore.open(database: running.start(url)) }, storedSessionHashes: {
                try await database.read { connection in
                    var hashes: Set<String> = []
                    for try await hash in try await connection.query("SELECT id_hash FROM admin.sessions", logger: RunningDatabases.logger)
                        .decode(String.self) { hashes.insert(hash) }
                    return hashes
                }
            }, postgres: database, stopping: { await running.stopAll() })
        }
    }
}

/// A store under test, with what only the engine can answer, and what keeps it running.
struct AdminUnderTest: Sendable {
    let store: any AdminStore
    /// Another store on the same database (SQLite: a second pool on the same file; PostgreSQL: a
    /// second `PostgresDatabase` with pools of its own), as a second admin-node would open it.
    let sibling: @Sendable () async throws -> any AdminStore
    /// The id hashes of every session row the database keeps, live or not: what pruning removes
    /// cannot be seen through ``AdminStore``, which shows live sessions only.
    let storedSessionHashes: @Sendable () async throws -> Set<String>
    /// The first store's database, for PostgreSQL-only checks that write past the store.
    var postgres: NSPostgres.PostgresDatabase? = nil
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

/// The PostgreSQL databases a test opened (one per store, as one per admin-node), their pools
/// running until the test ends.
private actor RunningDatabases {
    static let logger = Logger(label: "test.admin-store")
    private var running: [(database: NSPostgres.PostgresDatabase, pools: Task<Void, Never>)] = []

    func start(_ url: DatabaseURL) throws -> NSPostgres.PostgresDatabase {
        let database = try NSPostgres.PostgresDatabase(url: url, settings: .init(applicationName: "nsd admin test"), logger: Self.logger)
        running.append((database, Task { await database.run() }))
        return database
    }

    func stopAll() async {
        for opened in running {
            opened.pools.cancel()
            await opened.pools.value
        }
        running = []
    }
}
