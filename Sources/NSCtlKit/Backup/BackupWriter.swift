import Foundation
import NSCore

/// Makes one backup file: snapshot into a private staging folder beside the output, manifest,
/// archive under a temporary name, fsync, rename, fsync of the folder. Any failure removes
/// everything it made, so the output folder holds complete backups or nothing new.
struct BackupWriter {
    let outputDirectory: String
    let progress: BackupProgress

    struct Written {
        let path: String
        let manifest: BackupManifest
    }

    /// What fills the staging `data/` folder.
    enum Source {
        case volume(VolumeSnapshot)
        case redis(RedisSnapshot)
        case postgres(PostgresSnapshot)

        func capture(into dataFolder: String) async throws -> (files: [BackupManifest.File], ledger: BackupManifest.Ledger?) {
            switch self {
            case .volume(let snapshot): try snapshot.capture(into: dataFolder)
            case .redis(let snapshot): (try await snapshot.capture(into: dataFolder), nil)
            case .postgres(let snapshot): try await snapshot.capture(into: dataFolder)
            }
        }
    }

    func write(volume: BackupVolume, from source: Source, at date: Date = Date()) async throws -> Written {
        try BackupFiles.makePrivateDirectory(outputDirectory)
        let name = BackupName(volume: volume, at: date)
        let finalPath = (outputDirectory as NSString).appendingPathComponent(name.fileName)
        guard !FileManager.default.fileExists(atPath: finalPath) else {
            throw CommandFailure("\(finalPath) already exists; wait a second and run the backup again")
        }
        let staging = (outputDirectory as NSString).appendingPathComponent(".\(name.fileName).staging")
        let partial = (outputDirectory as NSString).appendingPathComponent(".\(name.fileName).partial")
        BackupFiles.discard(staging)
        BackupFiles.discard(partial)
        do {
            let dataFolder = (staging as NSString).appendingPathComponent(BackupManifest.dataFolder)
            try BackupFiles.makePrivateDirectory(dataFolder)
            let captured = try await source.capture(into: dataFolder)
            let manifest = BackupManifest(format: BackupManifest.currentFormat, volume: volume.rawValue,
                                          createdAt: LogTimestamp.format(unixMs: Int64(date.timeIntervalSince1970 * 1000)),
                                          tool: "nsctl \(NeuroSwarmVersion.current)", files: captured.files, ledger: captured.ledger)
            let manifestPath = (staging as NSString).appendingPathComponent(BackupManifest.fileName)
            guard FileManager.default.createFile(atPath: manifestPath, contents: try manifest.encoded(), attributes: [.posixPermissions: 0o600]) else {
                throw CommandFailure("cannot write \(manifestPath)")
            }
            progress.step("\(volume.rawValue): writing \(name.fileName)")
            try BackupFiles.createPrivateFile(partial)
            try BackupArchive.create(at: partial, from: staging)
            guard rename(partial, finalPath) == 0 else {
                throw CommandFailure("cannot rename \(partial) to \(finalPath): \(String(cString: strerror(errno)))")
            }
            try BackupFiles.sync(path: outputDirectory)
            BackupFiles.discard(staging)
            return Written(path: finalPath, manifest: manifest)
        } catch {
            BackupFiles.discard(partial)
            BackupFiles.discard(staging)
            throw error
        }
    }
}
