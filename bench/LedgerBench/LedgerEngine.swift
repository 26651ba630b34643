import Foundation
import GRDB
import NSLedger
import NSNodes
import NSTestSupport

/// Where a measurement's ledger lives. Every measurement gets a fresh, empty ledger, which nsd
/// serves (`startNode`) or the bench fills in-process through the engine's own store.
protocol LedgerEngine: Sendable {
    /// How the report's columns name it.
    var name: String { get }
    /// Its configuration, printed at the start of the run.
    var detail: String { get }
    /// A fresh ledger: a data folder for nsd, and for PostgreSQL a database of its own.
    func freshLedger(label: String) async throws -> FreshLedger
    /// Opens the engine's store on `ledger` in-process (creating genesis), runs `body` with it
    /// and closes it again; nsd must not be running on that ledger meanwhile.
    func withStore<T: Sendable>(_ ledger: FreshLedger, _ body: (any LedgerStore) async throws -> T) async throws -> T
    /// Deletes `ledger` once nsd has stopped.
    func remove(_ ledger: FreshLedger) async throws
    /// Stops what `EngineKind.start()` started.
    func stop() async
}

/// A ledger made for one measurement: nsd's data folder and the environment that puts the
/// ledger where the engine keeps it.
struct FreshLedger: Sendable {
    let folder: String
    var environment: [String: String] = [:]
    /// The PostgreSQL database holding it, if any.
    var database: String?
    var databaseURL: String?
}

/// The ledger in `ns-node-data/neuroswarm_chain.db` under nsd's data folder: nsd's default
/// (WAL, `synchronous=FULL`).
struct SQLiteEngine: LedgerEngine {
    static let name = "SQLite"
    var name: String { Self.name }
    let detail = "the file ns-node-data/neuroswarm_chain.db (WAL, synchronous=FULL)"

    func freshLedger(label: String) throws -> FreshLedger {
        FreshLedger(folder: try Tools.temporaryDirectory("bench-\(label)"))
    }

    func withStore<T: Sendable>(_ ledger: FreshLedger, _ body: (any LedgerStore) async throws -> T) async throws -> T {
        var migrator = DatabaseMigrator.node("ns-node")
        LedgerSchema.register(in: &migrator)
        let database = try NodeDatabase(path: ledger.folder + "/ns-node-data/neuroswarm_chain.db", variable: "DB_PATH", migrator: migrator)
        do {
            let result = try await body(try SQLiteLedgerStore(pool: database.pool, settings: LedgerBench.storeSettings))
            try database.close()
            return result
        } catch {
            try? database.close()  // the body's error is the one to report
            throw error
        }
    }

    func remove(_ ledger: FreshLedger) throws {
        try FileManager.default.removeItem(atPath: ledger.folder)
    }

    func stop() async {}
}
