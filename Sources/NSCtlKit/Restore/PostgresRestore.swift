import Foundation
import NSCore
import NSLedger
import NSPostgres
import NSSQLite
import PostgresNIO

/// `nsctl restore FILE --volume ns-node-data|admin-node-data` when that state is in PostgreSQL
/// (`DATABASE_URL`): the archive's SQLite file (a backup from either engine, or an SQLite node's
/// file archived by `nsctl backup`) replaces the volume's schema (`ledger`, `admin`). The old
/// schema is renamed `<schema>_replaced_<UTC time>`, nothing is deleted, and the restored chain
/// (the ledger's, or the audit trail's) is verified in the database before the command reports
/// success.
struct PostgresRestore {
    let database: DatabaseURL
    let volume: BackupVolume
    /// The archive's SQLite file that goes into PostgreSQL (``BackupVolume/postgresFile``).
    let file: String

    /// Only for the volumes whose state `DATABASE_URL` moves into PostgreSQL, when it is set.
    init?(database: DatabaseURL?, volume: BackupVolume) {
        guard let database, let file = volume.postgresFile else { return nil }
        self.database = database
        self.volume = volume
        self.file = file
    }

    /// The schema holding the volume's state.
    var schema: String { volume == .adminNode ? "admin" : "ledger" }

    /// What the operator is told is replaced.
    var replacedDescription: String { volume == .adminNode ? "admin-node's audit trail and sessions in DATABASE_URL" : "the ledger in DATABASE_URL" }

    /// Refuses while a node owning the volume (an ns-node, an admin-node) is connected to the
    /// database: the counterpart of the lock nsd holds on a volume folder. It would keep working
    /// on the replaced schema. nsd names its connections after the roles it hosts
    /// (`nsd ns-node,admin-node`), as `pg_stat_activity` shows them.
    func refuseWhileOwnersRun() async throws {
        let pattern = "nsd%\(volume.owner)%"
        let connected = try await BackupDatabase.use(database) { database in
            try await database.read { connection -> [String] in
                let rows = try await connection.query("""
                    SELECT application_name, COALESCE(host(client_addr), 'local') FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name LIKE \(pattern)
                    ORDER BY backend_start
                    """, logger: BackupDatabase.logger)
                var found: [String] = []
                for try await (name, address) in rows.decode((String, String).self) { found.append("\(name) from \(address)") }
                return found
            }
        }
        if let first = connected.first {
            throw CommandFailure("\(volume.rawValue) is in use: \(connected.count) connection(s) of an \(volume.owner) (\(first)) to the database in DATABASE_URL; stop every \(volume.owner) on it before restoring")
        }
    }

    /// Imports the verified archive's database file into a new schema and verifies its chain
    /// there; returns what to tell the operator.
    func restore(_ verified: BackupVerifier.Verified, stamp: String, progress: BackupProgress) async throws -> String {
        let path = (verified.dataFolder as NSString).appendingPathComponent(file)
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure("the backup holds no \(file), so there is nothing to put into PostgreSQL; pass a backup taken with nsctl backup \(volume.rawValue)")
        }
        let reader: SQLiteTableCopyReader
        do {
            try SQLiteTableCopyReader.upgrade(path: path, schema: volume == .adminNode ? AdminSchema.register(in:) : LedgerSchema.register(in:))
            reader = try SQLiteTableCopyReader(path: path)
        } catch {
            throw CommandFailure("the backup's \(file) cannot be opened: \(error)")
        }
        defer { try? reader.close() }  // read-only: a failed close loses nothing
        let keptAs = "\(schema)_replaced_" + stamp.lowercased()
        progress.step("importing \(file) into PostgreSQL (the current schema \(schema) is kept as \(keptAs))")
        if volume == .adminNode {
            return try await restoreAdminState(from: reader, expected: try BackupVerifier.auditTrail(in: verified.dataFolder), keepingAs: keptAs, progress: progress)
        }
        return try await restoreLedger(from: reader, claimed: verified.manifest.ledger, keepingAs: keptAs, progress: progress)
    }

    private func restoreLedger(from reader: SQLiteTableCopyReader, claimed: BackupManifest.Ledger?, keepingAs keptAs: String,
                               progress: BackupProgress) async throws -> String {
        try await BackupDatabase.use(database) { database in
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
            if let claimed, summary.height != claimed.height {
                throw CommandFailure("the restored chain verifies to height \(summary.height), but the backup's manifest says \(claimed.height)")
            }
            var line = "chain verified to height \(summary.height) in PostgreSQL"
            if let previous = replaced.previousSchema { line += "; previous ledger kept as schema \(previous)" }
            return line
        }
    }

    /// `expected` is the trail in the archive (whose chain ``BackupVerifier`` checked): the trail
    /// read back from PostgreSQL must be it, entry for entry.
    private func restoreAdminState(from reader: SQLiteTableCopyReader, expected: [AuditEntry], keepingAs keptAs: String,
                                   progress: BackupProgress) async throws -> String {
        try await BackupDatabase.use(database) { database in
            let previous = try await PostgresAdminCopy.replace(database, keepingAs: keptAs) { table, insert in
                try await reader.forEachBatch(of: table) { rows in try await insert(rows) }
            }
            let kept = previous.map { "; previous audit trail and sessions kept as schema \($0)" } ?? ""
            progress.step("verifying the audit chain in PostgreSQL")
            let restored = try await PostgresAdminStore(database: database).all()
            if let broken = AuditChain.firstBreak(in: restored) {
                throw CommandFailure("the restored audit trail is broken at \(broken)\(kept)")
            }
            guard restored == expected else {
                throw CommandFailure("the restored audit trail holds \(restored.count) entries, the backup \(expected.count)\(kept)")
            }
            return "audit chain verified in PostgreSQL: \(restored.count) entries, head \(restored.last?.hash ?? AuditChain.genesisHash)\(kept)"
        }
    }
}
