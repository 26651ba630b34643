import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Marks a data volume (`ns-node-data`, `vp-node-data`, ...) as in use by a running `nsd`, so
/// that `nsctl restore` can refuse to swap a database out from under a live node.
///
/// `nsd` takes a shared POSIX record lock on `<volume>/.nsd.lock` before it opens the volume's
/// database and holds it until the process exits; the kernel drops it when the process dies, even
/// by `kill -9`, so a crash never leaves a stale lock behind. Shared, because a gateway and a
/// vp-node in separate processes on one host both use `vp-node-data`. ``holder(of:)`` asks the
/// kernel whether any other process holds it, and which.
public enum VolumeLock {
    /// The lock file's name inside a volume folder; backups skip it.
    public static let fileName = ".nsd.lock"

    /// Descriptors kept open for the life of the process: closing any descriptor of the file
    /// would release this process's record locks on it.
    private static let held = Mutex<[String: Int32]>([:])

    /// Takes the shared lock on `folder` (creating the folder and the lock file) for the rest of
    /// this process's life. Taking it twice in one process is a no-op.
    public static func hold(folder: String) throws(VolumeLockError) {
        try held.withLock { (held: inout [String: Int32]) throws(VolumeLockError) in
            if held[folder] != nil { return }
            // A folder that cannot be made makes the open below fail, which reports why.
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
            let path = (folder as NSString).appendingPathComponent(fileName)
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw VolumeLockError(path: path, problem: String(cString: strerror(errno))) }
            var request = lockRequest(type: F_RDLCK)
            guard fcntl(descriptor, F_SETLK, &request) == 0 else {
                let problem = String(cString: strerror(errno))
                close(descriptor)
                throw VolumeLockError(path: path, problem: problem)
            }
            held[folder] = descriptor
        }
    }

    /// The process id of a process holding `folder`'s lock, or `nil` when none does (or the
    /// folder has no lock file, so no `nsd` ever used it). Never reports the calling process.
    public static func holder(of folder: String) -> Int32? {
        let path = (folder as NSString).appendingPathComponent(fileName)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var probe = lockRequest(type: F_WRLCK)
        guard fcntl(descriptor, F_GETLK, &probe) == 0, probe.l_type != Int16(F_UNLCK) else { return nil }
        return probe.l_pid
    }

    private static func lockRequest(type: Int32) -> flock {
        var request = flock()
        request.l_type = Int16(type)
        request.l_whence = Int16(SEEK_SET)
        request.l_start = 0
        request.l_len = 0  // the whole file
        return request
    }
}

/// A volume lock that could not be taken: the folder is not writable, or the file system does
/// not support record locks.
public struct VolumeLockError: Error, CustomStringConvertible {
    public let path: String
    public let problem: String

    public var description: String { "cannot lock \(path): \(problem)" }
}
