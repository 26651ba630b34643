import Foundation
import GRDB
import Logging
import NSCore
import NSLedger
import NSPostgres

extension HostAssembly {
    /// The ledger in `database`: migrated and given its genesis under the migration lock, so
    /// several ns-nodes starting together on one empty database make one chain. There is no
    /// VolumeLock: the database serialises the nodes that share it.
    static func openLedger(_ database: PostgresDatabase, settings: LedgerStoreSettings) async throws(ConfigurationError) -> PostgresLedgerStore {
        try await opening("ledger") { try await PostgresLedgerStore.open(database: database, settings: settings) }
    }

    /// admin-node's store in `database`, migrated under its own lock, so admin-nodes starting
    /// together on one database make one schema.
    static func openAdminStore(_ database: PostgresDatabase) async throws(ConfigurationError) -> PostgresAdminStore {
        try await opening("admin schema") { try await PostgresAdminStore.open(database: database) }
    }

    /// Runs `open`, turning what it throws into the start-up error that names `DATABASE_URL`.
    private static func opening<Store>(_ what: String, _ open: () async throws -> Store) async throws(ConfigurationError) -> Store {
        do {
            return try await open()
        } catch let error as ConfigurationError {
            throw error
        } catch {
            let reason = (error as? PostgresDatabaseError)?.description ?? String(describing: type(of: error))
            throw ConfigurationError(variable: "DATABASE_URL", problem: "names a database whose \(what) cannot be opened (\(reason))",
                                     fix: "check the hosts, user, password and database name, and that PostgreSQL accepts connections from this host")
        }
    }
}

/// The SQLite ledger an operator may have left at `DB_PATH` when moving ns-node to PostgreSQL.
enum LedgerFileNotice {
    /// Logs a warning when `path` holds an SQLite ledger with blocks past genesis: with
    /// `DATABASE_URL` set that chain is not served, and the operator should know before clients
    /// miss it. Read-only; a file that cannot be read gets a warning saying so.
    static func warnIfIgnored(_ path: String, logger: Logger) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let height: Int64?
        do {
            var configuration = GRDB.Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            height = try queue.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(height) FROM blocks") }
            try queue.close()
        } catch {
            logger.warning("DB_PATH names a file that is not read while DATABASE_URL is set, and it cannot be read as a ledger",
                           metadata: ["path": .string(path), "error": .string(NodeDatabase.describe(error))])
            return
        }
        guard let height, height > 0 else { return }
        logger.warning("DB_PATH holds an SQLite ledger with blocks, which is ignored while DATABASE_URL is set: the ledger served is the one in PostgreSQL",
                       metadata: ["path": .string(path), "height": .stringConvertible(height)])
    }
}
