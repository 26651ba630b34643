import Foundation
import Logging
import NSCore
import NSLedger
import NSPostgres
import NSTestSupport

/// The ledger in PostgreSQL: one cluster for the run, started through NSTestSupport's
/// `PostgresServer` (PostgreSQL from /usr/lib/postgresql, as the `postgres` user when root, on a
/// free loopback port; `fsync` and `synchronous_commit` on, so a commit is as durable as SQLite's
/// `synchronous=FULL`), and a database of its own for every measurement. nsd reads the database's
/// URL from a 0600 file (`DATABASE_URL_FILE`), never from its command line.
final class PostgresEngine: LedgerEngine {
    /// What the cluster runs with beyond the test clusters' settings: what an operator gives a
    /// dedicated database on a machine like this (24 GB), so the ledger's working set stays in
    /// PostgreSQL's cache and WAL checkpoints are spaced by time, not forced by WAL volume.
    static let settings = ["shared_buffers": "1GB", "max_wal_size": "8GB", "checkpoint_timeout": "15min"]

    static let name = "PostgreSQL"
    var name: String { Self.name }
    let server: PostgresServer
    let detail: String

    private init(server: PostgresServer, version: String) {
        self.server = server
        detail = "\(version) on 127.0.0.1:\(server.port), fsync and synchronous_commit on, "
            + Self.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }

    static func start() async throws -> PostgresEngine {
        let server = try await PostgresServer(settings: settings)
        do {
            return PostgresEngine(server: server, version: "PostgreSQL " + (try server.psql("SHOW server_version")))
        } catch {
            await server.stop()
            throw error
        }
    }

    func freshLedger(label: String) throws -> FreshLedger {
        let folder = try Tools.temporaryDirectory("bench-\(label)")
        let database = "bench_\(label)_\(UInt32.random(in: 0...UInt32.max))"
        try server.createDatabase(database)
        let url = server.url(database: database) + "?sslmode=disable"
        let file = folder + "/database_url"
        guard FileManager.default.createFile(atPath: file, contents: Data(url.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw BenchError("cannot write \(file)")
        }
        return FreshLedger(folder: folder, environment: ["DATABASE_URL_FILE": file], database: database, databaseURL: url)
    }

    func withStore<T: Sendable>(_ ledger: FreshLedger, _ body: (any LedgerStore) async throws -> T) async throws -> T {
        guard let url = ledger.databaseURL else { throw BenchError("\(ledger.folder) is no PostgreSQL ledger") }
        // Warnings only: the store's info lines (host located, schema migrated) would break up the bench's output.
        var logger = Logger(label: "ledger-bench")
        logger.logLevel = .warning
        // The timeout allows a 5,000-transaction block on a slow (debug) build.
        let database = try NSPostgres.PostgresDatabase(url: try DatabaseURL(parsing: url),
                                                       settings: .init(timeout: .seconds(120), applicationName: "ledger-bench"), logger: logger)
        let pools = Task { await database.run() }
        defer { pools.cancel() }
        let result = try await body(try await PostgresLedgerStore.open(database: database, settings: LedgerBench.storeSettings))
        pools.cancel()
        await pools.value
        return result
    }

    func remove(_ ledger: FreshLedger) throws {
        if let database = ledger.database { _ = try server.psql("DROP DATABASE \"\(database)\" WITH (FORCE)") }
        try FileManager.default.removeItem(atPath: ledger.folder)
    }

    func stop() async {
        await server.stop()
    }
}
