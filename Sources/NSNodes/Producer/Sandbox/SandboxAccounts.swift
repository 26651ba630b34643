import Foundation
import Synchronization

/// The uids snippets run as when nsd is root: one per snippet running at once, from
/// `SANDBOX_UID_BASE` up, so no two running jobs share a user (their directories, files and
/// process budgets are apart) and a uid is handed out again only after everything its last job
/// left behind is gone.
final class SandboxAccounts: Sendable {
    /// Every uid is taken: more snippets are running than the pool was sized for.
    struct Exhausted: Error, CustomStringConvertible {
        let size: Int
        var description: String { "all \(size) sandbox uids are in use; more snippets run at once than JOB_QUEUE_WORKERS allows for" }
    }

    let base: UInt32
    let size: Int
    private let free: Mutex<[UInt32]>

    init(base: UInt32, size: Int) {
        self.base = base
        self.size = size
        self.free = Mutex((0..<UInt32(size)).reversed().map { base + $0 })
    }

    func acquire() throws(Exhausted) -> UInt32 {
        guard let uid = free.withLock({ $0.popLast() }) else { throw Exhausted(size: size) }
        return uid
    }

    /// Returns `uid` to the pool once nothing of its job survives. In namespaces the job's
    /// processes died with its PID namespace and its files with its tmpfs. In directory mode, as
    /// the uid itself (so a race with anything it left can never make root delete elsewhere):
    /// every process still running as the uid is killed (one that left the process group too),
    /// then its working `directory` and whatever it left anywhere in the host's shared temporary
    /// folders are deleted.
    func release(_ uid: UInt32, mode: SandboxIsolation.Mode, directory: String?) {
        if mode == .directory { Self.clean(uid: uid, directory: directory) }
        free.withLock { $0.append(uid) }
    }

    /// The folders every user may write to that a snippet in directory mode can reach.
    static let sharedFolders = ["/tmp", "/var/tmp", "/dev/shm"]

    /// `kill -9 -1` as the uid reaches exactly its processes (never the caller itself); `rm` and
    /// `find` as the uid can delete only what the uid could.
    static let cleanScript = #"""
        kill -9 -1 2>/dev/null
        rm -rf -- "$0" 2>/dev/null
        uid=$1; shift
        find "$@" -xdev -depth -user "$uid" -delete 2>/dev/null
        exit 0
        """#

    private static func clean(uid: UInt32, directory: String?) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "--", "/bin/sh", "-c", cleanScript,
                             directory ?? "", String(uid)] + sharedFolders.filter { FileManager.default.fileExists(atPath: $0) }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            // setpriv and sh are what every snippet is launched with: when they cannot run, no
            // snippet ran as the uid either, so it left nothing.
            return
        }
    }
}
