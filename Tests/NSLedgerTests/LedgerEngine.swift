import Foundation
import GRDB
import Logging
import NSCore
@testable import NSLedger
import NSPostgres
import NSTestSupport

/// The database engines every engine-neutral ledger suite runs against (`@Test(arguments: LedgerEngine.allCases)`).
/// A new engine is a new case here and in the switches of this file; the suites do not change.
enum LedgerEngine: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    /// A fresh database per test on the process's shared cluster (`PostgresServer.shared()`).
    case postgres

    var description: String { rawValue }

    /// A fresh ledger on a real database (for SQLite, `fixture`'s new file; for PostgreSQL, a new
    /// database on the shared cluster), with the fixture's producer key in its validator set and
    /// its fixed clock.
    func make(fixture: LedgerFixture? = nil, mempoolMax: Int = 100_000, maxBlockTxs: Int = BlockRules.defaultMaxTxs,
              lookupBatch: Int = 16_384) async throws -> LedgerUnderTest {
        let fixture = try fixture ?? LedgerFixture()
        switch self {
        case .sqlite:
            let open: @Sendable () throws -> SQLiteLedgerStore = {
                try fixture.openStore(mempoolMax: mempoolMax, maxBlockTxs: maxBlockTxs, lookupBatch: lookupBatch)
            }
            let store = try open()
            return LedgerUnderTest(engine: self, fixture: fixture, store: store, sqlite: store, postgres: nil, reopen: { try open() })
        case .postgres:
            let postgres = try await PostgresLedger.start()
            let settings = fixture.settings(mempoolMax: mempoolMax, maxBlockTxs: maxBlockTxs, lookupBatch: lookupBatch)
            let open: @Sendable () async throws -> PostgresLedgerStore = {
                try await PostgresLedgerStore.open(database: postgres.database, settings: settings, now: { LedgerFixture.now })
            }
            do {
                let store = try await open()
                return LedgerUnderTest(engine: self, fixture: fixture, store: store, sqlite: nil, postgres: postgres, reopen: { try await open() })
            } catch {
                await postgres.stop()
                throw error
            }
        }
    }
}

/// A fresh database on the shared PostgreSQL cluster with its connection pools running.
struct PostgresLedger: Sendable {
    let server: PostgresServer
    let databaseName: String
    let database: NSPostgres.PostgresDatabase
    private let running: Task<Void, Never>

    static func start() async throws -> PostgresLedger {
        let server = try await PostgresServer.shared()
        let name = "t_" + UInt64.random(in: 0...UInt64.max).description
        try server.createDatabase(name)
        let url = try DatabaseURL(parsing: server.url(database: name) + "?sslmode=disable")
        var logger = Logger(label: "test.ledger.postgres")
        logger.logLevel = .warning  // one database per test: "host located" and "schema migrated" would bury the results
        let database = try NSPostgres.PostgresDatabase(url: url, settings: .init(timeout: .seconds(10), applicationName: "nsd ledger test"),
                                                       logger: logger)
        return PostgresLedger(server: server, databaseName: name, database: database, running: Task { await database.run() })
    }

    func stop() async {
        running.cancel()
        await running.value
    }
}

/// A ledger under test: its store, the fixture that builds its blocks, and what keeps it running.
struct LedgerUnderTest: Sendable {
    let engine: LedgerEngine
    let fixture: LedgerFixture
    let store: any LedgerStore
    /// The SQLite engine's store, for checks on what only it holds (its schedule, its tables); nil on other engines.
    let sqlite: SQLiteLedgerStore?
    /// The PostgreSQL engine's database; nil on other engines.
    let postgres: PostgresLedger?
    /// Opens another store over the same data, as a restarted node would.
    let reopen: @Sendable () async throws -> any LedgerStore

    var reader: any LedgerReader { store.reader }

    /// Audits the stored chain as `nsctl chain verify` does offline.
    func audit() async throws -> Result<ChainAudit.Summary, ChainVerifier.Fault> {
        if let postgres { return try await ChainAudit.audit(PostgresChainSource(database: postgres.database)) }
        return try await ChainAudit.audit(path: fixture.path)
    }

    /// The audit's fault, or nil when the chain verifies.
    func fault() async throws -> ChainVerifier.Fault? {
        if case .failure(let fault) = try await audit() { return fault }
        return nil
    }

    /// Changes the stored ledger behind the store's back, as an attacker with access to the
    /// database would: one SQL statement on tables named as in SQLite's schema. Byte values are
    /// written with ``bytes(_:)`` and text edits of byte columns with ``replacing(_:with:inBytes:)``,
    /// since engines spell those differently. On PostgreSQL the statement runs as the superuser
    /// with triggers and foreign-key checks off (`session_replication_role = replica`), so the
    /// append-only triggers and the chain's foreign keys do not stop it, as they would not stop
    /// such an attacker.
    func tamper(_ sql: String) async throws {
        if let postgres {
            _ = try postgres.server.psql("SET session_replication_role = replica; SET search_path TO ledger; \(sql)", database: postgres.databaseName)
            return
        }
        let queue = try DatabaseQueue(path: fixture.path)
        try await queue.write { try $0.execute(sql: sql) }
        try queue.close()
    }

    /// A byte-string literal in the engine's SQL.
    func bytes(_ value: [UInt8]) -> String {
        switch engine {
        case .sqlite: "X'\(Hex.encode(value))'"
        case .postgres: "'\\x\(Hex.encode(value))'::bytea"
        }
    }

    /// An SQL expression: the byte column `column` read as UTF-8 text with `old` replaced by `new`, as bytes again.
    func replacing(_ old: String, with new: String, inBytes column: String) -> String {
        switch engine {
        case .sqlite: "CAST(replace(CAST(\(column) AS TEXT), '\(old)', '\(new)') AS BLOB)"
        case .postgres: "convert_to(replace(convert_from(\(column), 'UTF8'), '\(old)', '\(new)'), 'UTF8')"
        }
    }

    /// Ends what the engine started for this test (a server's connection pools).
    func stop() async {
        await postgres?.stop()
    }
}
