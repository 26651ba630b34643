import Foundation
import NSCore
import NSLedger
import NSPostgres

/// The snapshot of `ns-node-data` when the ledger is in PostgreSQL (`DATABASE_URL`): the ledger
/// is read in one REPEATABLE READ READ ONLY transaction and written, batch by batch, into a fresh
/// `neuroswarm_chain.db` laid out as an SQLite ns-node's (``SQLiteLedgerCopyWriter``). So the
/// archive, its manifest (height, newest checkpoint, SHA-256s), `backup verify` and the snapshot
/// order are those of an SQLite ledger, and one archive restores to either engine. Other files in
/// the volume folder (keys), if there is one, are copied as ``VolumeSnapshot`` copies them; an
/// SQLite ledger left there from before the move to PostgreSQL is not the node's ledger and is
/// left out.
struct PostgresSnapshot {
    let files: VolumeSnapshot
    let database: DatabaseURL

    var progress: BackupProgress { files.progress }

    /// The volume folder's files other than an SQLite ledger; none when the folder is missing.
    func folderFiles() throws -> [String] {
        guard FileManager.default.fileExists(atPath: files.source) else { return [] }
        let ledgerFiles: Set<String> = [DataLayout.ledgerDatabaseFile]
        return try BackupFiles.volumeFiles(in: files.source).filter { !ledgerFiles.contains($0) }
    }

    func capture(into staging: String) async throws -> (files: [BackupManifest.File], ledger: BackupManifest.Ledger?) {
        var captured = try files.capture(try folderFiles(), into: staging).files
        let path = (staging as NSString).appendingPathComponent(DataLayout.ledgerDatabaseFile)
        progress.step("\(files.volume.rawValue): copying the ledger from PostgreSQL into \(DataLayout.ledgerDatabaseFile)")
        let writer: SQLiteLedgerCopyWriter
        do {
            writer = try SQLiteLedgerCopyWriter(path: path)
        } catch {
            throw CommandFailure("cannot create \(path): \(error)")
        }
        try await LedgerDatabase.use(database) { database in
            try await PostgresLedgerCopy.export(database) { table, rows in try writer.insert(rows, into: table) }
        }
        do {
            try writer.finish()
        } catch {
            throw CommandFailure("cannot finish \(path): \(error)")
        }
        try VolumeSnapshot.checkIntegrity(of: path, name: DataLayout.ledgerDatabaseFile)
        let ledger = try VolumeSnapshot.ledgerState(of: path)
        try BackupFiles.sync(path: path)
        captured.append(.init(path: DataLayout.ledgerDatabaseFile, size: try BackupFiles.size(path: path), sha256: try BackupFiles.sha256(path: path),
                              kind: .sqlite))
        return (captured.sorted { $0.path < $1.path }, ledger)
    }
}
