import Foundation
import GRDB
import NSCore
import NSLedger

/// Copies a node volume that `nsd` may be writing to into a staging folder, consistently:
/// each SQLite database through `VACUUM INTO` (a transactionally consistent copy that a live
/// WAL database allows while its writer goes on), checked with `PRAGMA integrity_check`; other
/// files (key files) copied as they are.
struct VolumeSnapshot {
    let volume: BackupVolume
    let source: String
    let progress: BackupProgress

    /// Whether the queue is in Redis (`REDIS_URL` is set): vp-node then keeps nothing in
    /// `vp-node-data` unless it generated its producer key there.
    var queueInRedis = false

    /// The volume's files, relative; fails naming the fix when the folder is missing or holds
    /// nothing. `nsctl backup` asks this of every named volume before it writes any archive, so a
    /// wrong name or `--data-dir` leaves no set of backups with some volumes missing.
    func sourceFiles() throws -> [String] {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) && isDirectory.boolValue
        let files = exists ? try BackupFiles.volumeFiles(in: source) : []
        guard files.isEmpty else { return files }
        if volume == .vpNode && queueInRedis {
            throw CommandFailure("\(source) holds no files: with REDIS_URL set the queue is in Redis; back up redis-data instead of vp-node-data")
        }
        throw CommandFailure(exists ? "\(source) holds no files; is it the right --data-dir?"
                                    : "\(source) does not exist; pass the --data-dir nsd runs with (DATA_DIR)")
    }

    /// Writes the snapshot under `staging` and describes every file it wrote.
    func capture(into staging: String) throws -> (files: [BackupManifest.File], ledger: BackupManifest.Ledger?) {
        try capture(try sourceFiles(), into: staging)
    }

    /// Writes the snapshot of `relatives` (files of the volume) under `staging`.
    func capture(_ relatives: [String], into staging: String) throws -> (files: [BackupManifest.File], ledger: BackupManifest.Ledger?) {
        var files: [BackupManifest.File] = []
        var ledger: BackupManifest.Ledger?
        for relative in relatives {
            let from = (source as NSString).appendingPathComponent(relative)
            let to = (staging as NSString).appendingPathComponent(relative)
            try BackupFiles.makePrivateDirectory((to as NSString).deletingLastPathComponent)
            let kind: BackupManifest.File.Kind
            if BackupFiles.isSQLite(path: from) {
                progress.step("\(volume.rawValue): copying database \(relative)")
                try Self.copyDatabase(from: from, to: to)
                try Self.checkIntegrity(of: to, name: relative)
                if volume == .nsNode && relative == DataLayout.ledgerDatabaseFile {
                    ledger = try Self.ledgerState(of: to)
                }
                kind = .sqlite
            } else {
                progress.step("\(volume.rawValue): copying \(relative)")
                do {
                    try FileManager.default.copyItem(atPath: from, toPath: to)
                } catch {
                    throw CommandFailure("cannot copy \(from): \(error.localizedDescription)")
                }
                kind = .plain
            }
            try BackupFiles.sync(path: to)
            files.append(.init(path: relative, size: try BackupFiles.size(path: to), sha256: try BackupFiles.sha256(path: to), kind: kind))
        }
        return (files, ledger)
    }

    private static func copyDatabase(from: String, to: String) throws {
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(30)
            let database = try DatabaseQueue(path: from, configuration: configuration)
            // VACUUM INTO has written the copy (or failed) before this runs; a failed close changes neither.
            defer { try? database.close() }
            try database.writeWithoutTransaction { db in
                try db.execute(sql: "VACUUM INTO ?", arguments: [to])
            }
        } catch {
            throw CommandFailure("snapshot of \(from) failed: \(error)")
        }
    }

    /// Runs `PRAGMA integrity_check` on a copy; anything but `ok` fails the backup or verify.
    static func checkIntegrity(of path: String, name: String) throws {
        let verdict: [String]
        do {
            verdict = try ReadOnlyDatabase.read(path) { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        } catch {
            throw CommandFailure("\(name) is not a readable SQLite database: \(error)")
        }
        guard verdict == ["ok"] else {
            throw CommandFailure("\(name) fails PRAGMA integrity_check: \(verdict.prefix(3).joined(separator: "; "))")
        }
    }

    /// The height, log and newest checkpoint of a ledger copy.
    static func ledgerState(of path: String) throws -> BackupManifest.Ledger {
        do {
            return try ReadOnlyDatabase.read(path) { db in
                let tip = try Row.fetchOne(db, sql: "SELECT height, log_size, log_root FROM blocks ORDER BY height DESC LIMIT 1")
                let checkpoint = try String.fetchOne(db, sql: "SELECT note FROM checkpoints ORDER BY log_size DESC LIMIT 1") ?? ""
                return BackupManifest.Ledger(height: UInt64(tip?["height"] as Int64? ?? 0), logSize: UInt64(tip?["log_size"] as Int64? ?? 0),
                                             logRoot: Hex.encode(Array((tip?["log_root"] as Data?) ?? Data())), checkpoint: checkpoint)
            }
        } catch {
            throw CommandFailure("\(DataLayout.ledgerDatabaseFile) copy cannot be read as a ledger: \(error)")
        }
    }
}
