import Foundation
import NSCore
import NSLedger
import NSPostgres
import PostgresNIO

/// `nsctl restore FILE --volume ns-node-data` when the ledger is in PostgreSQL (`DATABASE_URL`):
/// the archive's SQLite ledger (a backup from either engine, or an SQLite ns-node's
/// `neuroswarm_chain.db` archived by `nsctl backup`) replaces the `ledger` schema. The old schema
/// is renamed `ledger_replaced_<UTC time>`, nothing is deleted, and the restored chain is audited
/// in the database before the command reports success.
struct PostgresRestore {
    let database: DatabaseURL

    /// `application_name`s that mark an ns-node's connection: nsd names its connections after
    /// the roles it hosts (`nsd ns-node`), as `pg_stat_activity` shows them.
    static let nsNodeApplicationName = "nsd%ns-node%"

    /// Refuses while an ns-node is connected to the database: the counterpart of the lock nsd
    /// holds on a volume folder. An ns-node would keep its tip and pools on the replaced schema.
    func refuseWhileNSNodesRun() async throws {
        let pattern = Self.nsNodeApplicationName
        let connected = try await LedgerDatabase.use(database) { database in
            try await database.read { connection -> [String] in
                let rows = try await connection.query("""
                    SELECT application_name, COALESCE(host(client_addr), 'local') FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name LIKE \(pattern)
                    ORDER BY backend_start
                    """, logger: LedgerDatabase.logger)
                var found: [String] = []
                for try await (name, address) in rows.decode((String, String).self) { found.append("\(name) from \(address)") }
                return found
            }
        }
        if let first = connected.first {
            throw CommandFailure("\(BackupVolume.nsNode.rawValue) is in use: \(connected.count) connection(s) of an ns-node (\(first)) to the database in DATABASE_URL; stop every ns-node on it before restoring")
        }
    }

    /// Imports the verified archive's ledger into a new `ledger` schema and audits it; returns
    /// what to tell the operator.
    func restore(_ verified: BackupVerifier.Verified, stamp: String, progress: BackupProgress) async throws -> String {
        let path = (verified.dataFolder as NSString).appendingPathComponent(DataLayout.ledgerDatabaseFile)
        let reader: SQLiteLedgerCopyReader
        do {
            try SQLiteLedgerCopyReader.upgrade(path: path)
            reader = try SQLiteLedgerCopyReader(path: path)
        } catch {
            throw CommandFailure("the backup's \(DataLayout.ledgerDatabaseFile) cannot be opened: \(error)")
        }
        defer { try? reader.close() }  // read-only: a failed close loses nothing
        let keptAs = "ledger_replaced_" + stamp.lowercased()
        return try await LedgerDatabase.use(database) { database in
            progress.step("importing the ledger into PostgreSQL (the current one is kept as schema \(keptAs))")
            let replaced = try await PostgresLedgerCopy.replace(database, keepingAs: keptAs) { table, insert in
                try await reader.forEachBatch(of: table) { rows in try await insert(rows) }
            }
            progress.step("verifying the chain in PostgreSQL")
            let summary: ChainAudit.Summary
            switch try await ChainAudit.audit(PostgresChainSource(database: database)) {
            case .success(let value): summary = value
            case .failure(let fault):
                throw CommandFailure("the restored chain fails verification at height \(fault.height): \(fault.check); the previous ledger is kept as schema \(replaced.previousSchema ?? "(none)")")
            }
            if let claimed = verified.manifest.ledger, summary.height != claimed.height {
                throw CommandFailure("the restored chain verifies to height \(summary.height), but the backup's manifest says \(claimed.height)")
            }
            var line = "chain verified to height \(summary.height) in PostgreSQL"
            if let previous = replaced.previousSchema { line += "; previous ledger kept as schema \(previous)" }
            return line
        }
    }
}
