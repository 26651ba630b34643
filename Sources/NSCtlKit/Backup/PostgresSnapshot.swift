import Foundation
import NSCore
import NSLedger
import NSPostgres
import NSSQLite

/// The snapshot of a volume whose database is in PostgreSQL (`DATABASE_URL`): `ns-node-data`'s
/// ledger (schema `ledger`) or `admin-node-data`'s audit trail and sessions (schema `admin`). The
/// schema is read in one REPEATABLE READ READ ONLY transaction and written, batch by batch, into a
/// fresh SQLite file laid out as the SQLite node's (``BackupVolume/postgresFile``). So the
/// archive, its manifest (for the ledger: height, newest checkpoint; SHA-256s), `backup verify`
/// and the snapshot order are those of the SQLite node, and one archive restores to either engine.
/// Other files in the volume folder (keys), if there is one, are copied as ``VolumeSnapshot``
/// copies them; an SQLite file left there from before the move to PostgreSQL is not the node's
/// state and is left out.
struct PostgresSnapshot {
    let files: VolumeSnapshot
    let database: DatabaseURL

    var progress: BackupProgress { files.progress }

    /// The archived database file; only volumes with a ``BackupVolume/postgresFile`` are snapshotted here.
    private var databaseFile: String { files.volume.postgresFile ?? DataLayout.ledgerDatabaseFile }

    /// The volume folder's files other than its SQLite database; none when the folder is missing.
    func folderFiles() throws -> [String] {
        guard FileManager.default.fileExists(atPath: files.source) else { return [] }
        return try BackupFiles.volumeFiles(in: files.source).filter { $0 != databaseFile }
    }

    func capture(into staging: String) async throws -> (files: [BackupManifest.File], ledger: BackupManifest.Ledger?) {
        var captured = try files.capture(try folderFiles(), into: staging).files
        let path = (staging as NSString).appendingPathComponent(databaseFile)
        progress.step("\(files.volume.rawValue): copying \(files.volume.owner)'s schema from PostgreSQL into \(databaseFile)")
        var ledger: BackupManifest.Ledger?
        if files.volume == .adminNode {
            try await copyAdminState(into: path)
        } else {
            try await copyLedger(into: path)
        }
        try VolumeSnapshot.checkIntegrity(of: path, name: databaseFile)
        if files.volume == .nsNode { ledger = try VolumeSnapshot.ledgerState(of: path) }
        try BackupFiles.sync(path: path)
        captured.append(.init(path: databaseFile, size: try BackupFiles.size(path: path), sha256: try BackupFiles.sha256(path: path), kind: .sqlite))
        return (captured.sorted { $0.path < $1.path }, ledger)
    }

    private func copyLedger(into path: String) async throws {
        let writer = try created(path) { try SQLiteLedgerCopyWriter(path: path) }
        try await BackupDatabase.use(database) { database in
            try await PostgresLedgerCopy.export(database) { table, rows in try writer.insert(rows, into: table) }
        }
        try finished(path) { try writer.finish() }
    }

    /// The `admin` schema's audit trail and sessions into an `admin.db` (``AdminSchema``).
    private func copyAdminState(into path: String) async throws {
        let writer = try created(path) { try SQLiteTableCopyWriter(path: path, schema: AdminSchema.register(in:)) }
        try await BackupDatabase.use(database) { database in
            try await PostgresAdminCopy.export(database) { table, rows in try writer.insert(rows, into: table) }
        }
        try finished(path) { try writer.close() }
    }

    private func created<Writer>(_ path: String, _ create: () throws -> Writer) throws -> Writer {
        do {
            return try create()
        } catch {
            throw CommandFailure("cannot create \(path): \(error)")
        }
    }

    private func finished(_ path: String, _ finish: () throws -> Void) throws {
        do {
            try finish()
        } catch {
            throw CommandFailure("cannot finish \(path): \(error)")
        }
    }
}
