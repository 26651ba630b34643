import Crypto
import Foundation
import NSCore

#if canImport(Glibc)
import Glibc
#endif

/// File-system steps every backup and restore needs to be crash-safe: streaming digests, fsync of
/// files and of the directories whose entries changed, private folders.
enum BackupFiles {
    /// SHA-256 of a file, read in 1 MiB chunks so a large database never sits in memory whole.
    static func sha256(path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CommandFailure("cannot read \(path)") }
        // A handle only read from: a failed close can lose nothing.
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return Hex.encode(Array(hasher.finalize()))
    }

    static func size(path: String) throws -> Int64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// Flushes a file, or a directory's entries, to stable storage.
    static func sync(path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CommandFailure("cannot open \(path) to sync it: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw CommandFailure("fsync of \(path) failed: \(String(cString: strerror(errno)))") }
    }

    /// Creates `path` (and missing parents) readable by the owner only.
    static func makePrivateDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CommandFailure("cannot create \(path): \(error.localizedDescription); choose a writable folder")
        }
    }

    /// Creates an empty file at `path` with mode 0600; fails if it exists.
    static func createPrivateFile(_ path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CommandFailure("cannot create \(path): \(String(cString: strerror(errno)))") }
        close(descriptor)
    }

    /// Whether the file starts with SQLite's header string.
    static func isSQLite(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        // A handle only read from: a failed close can lose nothing; a header that cannot be read is not SQLite's.
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        return header == Data("SQLite format 3\u{0}".utf8)
    }

    /// Regular files under `folder`, relative and sorted, skipping what belongs to a live
    /// database's connection rather than to its content (WAL, shared memory, journal) and the
    /// volume lock.
    static func volumeFiles(in folder: String) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else {
            throw CommandFailure("cannot list \(folder)")
        }
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name == VolumeLock.fileName || name.hasSuffix("-wal") || name.hasSuffix("-shm") || name.hasSuffix("-journal") { continue }
            var isDirectory: ObjCBool = false
            let full = (folder as NSString).appendingPathComponent(relative)
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            files.append(relative)
        }
        return files.sorted()
    }

    /// Removes `path` if it exists, ignoring failures: used to clean up after a failed step.
    static func discard(_ path: String) {
        // Already failing: the step's own error is the one to report, and a leftover is named by it.
        try? FileManager.default.removeItem(atPath: path)
    }
}
