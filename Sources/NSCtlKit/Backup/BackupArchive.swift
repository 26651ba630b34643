import Foundation

/// The `.tar.gz` container of a backup, made and read with the system `tar` (GNU tar on Debian):
/// `manifest.json` first, then `data/` holding the volume's files.
enum BackupArchive {
    /// Packs `staging` (holding `manifest.json` and `data/`) into `path`, which must already
    /// exist (created 0600 by the caller, so the archive is never readable by others), then
    /// fsyncs it.
    static func create(at path: String, from staging: String) throws {
        try tar(["--create", "--gzip", "--file", path, "--directory", staging, "--numeric-owner", "--owner=0", "--group=0",
                 BackupManifest.fileName, BackupManifest.dataFolder], failure: "packing the archive failed")
        try BackupFiles.sync(path: path)
    }

    /// Unpacks the whole archive into `folder`. A damaged archive (a flipped byte breaks gzip's
    /// CRC, a cut one ends early) fails here.
    static func extract(_ path: String, into folder: String) throws {
        try tar(["--extract", "--gzip", "--file", path, "--directory", folder, "--no-same-owner", "--no-same-permissions",
                 "--no-overwrite-dir"], failure: "\(path) is damaged or not a backup archive")
    }

    /// Reads only `manifest.json`, for listings.
    static func manifest(of path: String) throws -> BackupManifest {
        let data = try tar(["--extract", "--gzip", "--file", path, "--to-stdout", BackupManifest.fileName],
                           failure: "\(path) has no readable manifest")
        do {
            return try BackupManifest.decode(data)
        } catch {
            throw CommandFailure("\(path): manifest.json is not a NeuroSwarm backup manifest")
        }
    }

    @discardableResult
    private static func tar(_ arguments: [String], failure: String) throws -> Data {
        let outcome = try ExternalCommand.run("tar", arguments, environment: ["LC_ALL": "C"])
        guard outcome.status == 0 else {
            throw CommandFailure("\(failure) (\(outcome.firstErrorLine ?? "tar exited \(outcome.status)"))")
        }
        return outcome.stdout
    }
}
