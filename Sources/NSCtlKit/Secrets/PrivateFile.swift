import Foundation

/// Writes files that hold secrets: created 0600 under a temporary name in the same folder,
/// fsynced, then renamed over the target, so no reader ever sees a partial file or one with
/// looser permissions.
enum PrivateFile {
    /// Writes `text` to `path`. With `replacing` false an existing file is an error; with it
    /// true the old file stays available as `<path>.backup-<UTC time>` (0600) and its name is
    /// returned, unless `keepingBackup` is false (a file rewritten on every run, which would
    /// otherwise leave a backup per run).
    @discardableResult
    static func write(_ text: String, to path: String, replacing: Bool, keepingBackup: Bool = true, now: Date = Date()) throws -> String? {
        let exists = FileManager.default.fileExists(atPath: path)
        if exists && !replacing {
            throw CommandFailure("\(path) already exists; pass --force to replace it (the old file is kept as a backup)")
        }
        let folder = (path as NSString).deletingLastPathComponent
        let temporary = (folder.isEmpty ? "." : folder) + "/.\((path as NSString).lastPathComponent).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CommandFailure("cannot create \(temporary): \(String(cString: strerror(errno))); check the folder's permissions") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { buffer in Foundation.write(fd, buffer.baseAddress, buffer.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced else {
            unlink(temporary)
            throw CommandFailure("cannot write \(temporary) (disk full?); nothing was changed")
        }
        var backup: String?
        if exists && keepingBackup {
            let name = path + ".backup-" + Self.stamp(now)
            guard link(path, name) == 0, chmod(name, 0o600) == 0 else {
                unlink(temporary)
                throw CommandFailure("cannot keep a backup of \(path) as \(name): \(String(cString: strerror(errno))); nothing was changed")
            }
            backup = name
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CommandFailure("cannot replace \(path): \(String(cString: strerror(errno))); nothing was changed")
        }
        Self.syncFolder(folder.isEmpty ? "." : folder)
        return backup
    }

    /// Creates `folder` (and missing parents) with mode 0700 for secret files; an existing one is left as it is.
    static func makeFolder(_ folder: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CommandFailure("cannot create \(folder): \(error.localizedDescription); check the parent folder's permissions")
        }
    }

    /// `20261122T140501Z`.
    static func stamp(_ date: Date) -> String {
        var time = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// Makes the rename itself durable.
    private static func syncFolder(_ folder: String) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
