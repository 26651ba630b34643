import Foundation
import NSCore
import NSLedger
import NSSQLite

/// Checks a backup file end to end in a scratch folder: it unpacks (gzip's CRC catches a
/// damaged archive), its manifest is one this version understands, every file it lists is there
/// with the listed size and SHA-256 and nothing else is, every database passes
/// `PRAGMA integrity_check`, an ns-node-data ledger verifies to the height it claims, and an
/// admin-node-data audit trail's hash chain holds.
struct BackupVerifier {
    let progress: BackupProgress

    struct Verified {
        let manifest: BackupManifest
        /// The unpacked volume files, inside the scratch folder the caller owns.
        let dataFolder: String
    }

    /// Unpacks `archive` into `scratch` (which must exist and be empty) and checks it. The caller
    /// removes `scratch`.
    func verify(_ archive: String, in scratch: String) async throws -> Verified {
        guard FileManager.default.isReadableFile(atPath: archive) else { throw CommandFailure("\(archive) does not exist or is not readable") }
        progress.step("unpacking \((archive as NSString).lastPathComponent)")
        try BackupArchive.extract(archive, into: scratch)
        let manifestPath = (scratch as NSString).appendingPathComponent(BackupManifest.fileName)
        guard let manifestData = FileManager.default.contents(atPath: manifestPath) else {
            throw CommandFailure("\(archive) has no manifest.json; it was not made by nsctl backup")
        }
        let manifest: BackupManifest
        do {
            manifest = try BackupManifest.decode(manifestData)
        } catch {
            throw CommandFailure("\(archive): manifest.json is not a NeuroSwarm backup manifest")
        }
        guard manifest.format == BackupManifest.currentFormat else {
            throw CommandFailure("\(archive) has manifest format \(manifest.format); this nsctl reads format \(BackupManifest.currentFormat), use a matching nsctl")
        }
        guard let volume = BackupVolume(rawValue: manifest.volume) else {
            throw CommandFailure("\(archive) names volume \(manifest.volume), which is not one of \(BackupVolume.names)")
        }
        let dataFolder = (scratch as NSString).appendingPathComponent(BackupManifest.dataFolder)
        let present = Set(try BackupFiles.volumeFiles(in: dataFolder))
        let listed = Set(manifest.files.map(\.path))
        if let extra = present.subtracting(listed).sorted().first {
            throw CommandFailure("\(archive) holds \(extra), which its manifest does not list")
        }
        for file in manifest.files {
            guard !file.path.split(separator: "/").contains(".."), !file.path.hasPrefix("/") else {
                throw CommandFailure("\(archive): manifest path \(file.path) leaves the volume")
            }
            let path = (dataFolder as NSString).appendingPathComponent(file.path)
            guard present.contains(file.path) else { throw CommandFailure("\(archive) lacks \(file.path), which its manifest lists") }
            progress.step("checking \(file.path)")
            let size = try BackupFiles.size(path: path)
            guard size == file.size else { throw CommandFailure("\(file.path) is \(size) bytes, the manifest says \(file.size)") }
            guard try BackupFiles.sha256(path: path) == file.sha256 else { throw CommandFailure("\(file.path) does not match its SHA-256 in the manifest") }
            if file.kind == .sqlite { try VolumeSnapshot.checkIntegrity(of: path, name: file.path) }
        }
        if volume == .nsNode { try await verifyLedger(manifest, in: dataFolder) }
        if volume == .adminNode, present.contains(DataLayout.adminDatabaseFile) { try verifyAuditTrail(in: dataFolder) }
        return Verified(manifest: manifest, dataFolder: dataFolder)
    }

    private func verifyLedger(_ manifest: BackupManifest, in dataFolder: String) async throws {
        guard let claimed = manifest.ledger else { throw CommandFailure("the \(DataLayout.nsNodeFolder) manifest has no ledger state") }
        let path = (dataFolder as NSString).appendingPathComponent(DataLayout.ledgerDatabaseFile)
        progress.step("verifying the chain")
        let outcome: Result<ChainAudit.Summary, ChainVerifier.Fault>
        do {
            outcome = try await ChainAudit.audit(path: path)
        } catch {
            throw CommandFailure("the ledger in the backup cannot be read: \(error)")
        }
        switch outcome {
        case .success(let summary):
            guard summary.height == claimed.height, summary.logSize == claimed.logSize, summary.logRoot.hex == claimed.logRoot else {
                throw CommandFailure("the ledger verifies to height \(summary.height) (log \(summary.logSize)), but the manifest says \(claimed.height) (log \(claimed.logSize))")
            }
        case .failure(let fault):
            throw CommandFailure("the ledger in the backup fails verification at height \(fault.height): \(fault.check): \(fault.detail)")
        }
    }

    /// The audit trail's hash chain in the backup's admin.db: an entry changed, removed or
    /// reordered after the snapshot (with the manifest rewritten to match) fails here, before a
    /// restore would put it in place.
    private func verifyAuditTrail(in dataFolder: String) throws {
        progress.step("verifying the audit chain")
        let trail = try Self.auditTrail(in: dataFolder)
        if let broken = AuditChain.firstBreak(in: trail) {
            throw CommandFailure("the audit trail in the backup is broken at \(broken); use an older backup")
        }
    }

    /// Every entry of the admin.db in `dataFolder`, in sequence order.
    static func auditTrail(in dataFolder: String) throws -> [AuditEntry] {
        let path = (dataFolder as NSString).appendingPathComponent(DataLayout.adminDatabaseFile)
        do {
            return try ReadOnlyDatabase.read(path) { db in try AuditEntry.fetchAllInOrder(db) }
        } catch {
            throw CommandFailure("the backup's \(DataLayout.adminDatabaseFile) cannot be read as admin-node's database: \(error)")
        }
    }
}
