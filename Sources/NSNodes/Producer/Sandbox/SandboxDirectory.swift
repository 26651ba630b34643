import Foundation

/// The per-job working directory of directory mode and the per-user process budget of the sandbox.
enum SandboxDirectory {
    /// A fresh empty directory under the system temporary folder, mode 0700, owned by `owner`
    /// when given (the job's own uid), so only that job can enter it.
    static func create(owner: UInt32?) throws -> String {
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("nsd-sandbox-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let path = String(cString: made)
        if let owner, chown(path, owner, owner) != 0 {
            let code = errno
            remove(path)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EPERM)
        }
        return path
    }

    /// Removes the directory and whatever the snippet left in it, when the snippet ran as nsd's
    /// own user (with a uid of its own, ``SandboxAccounts`` removes it as that uid).
    static func remove(_ path: String) {
        // Best effort by design: what cannot be removed is a snippet's own output in a folder
        // only nsd's user can enter; the next job gets a fresh folder.
        try? FileManager.default.removeItem(atPath: path)
    }

    /// `RLIMIT_NPROC` for a run. The limit counts every task of the user, not only the snippet's:
    /// as the job's own uid that is nothing else, so 64 bounds a fork bomb; as nsd's own user it
    /// must leave room for nsd's threads, so it is what that user runs now plus 64.
    static func processLimit(ownUser: Bool) -> Int {
        ownUser ? 64 : tasksOfCurrentUser() + 64
    }

    private static func tasksOfCurrentUser() -> Int {
        let uid = String(getuid())
        // Without /proc the count is unknown: assume many, so the limit stays generous rather than failing jobs.
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return 256 }
        var tasks = 0
        for entry in entries where entry.first?.isNumber == true {
            // A task that ended since the listing has no status: it no longer counts.
            guard let status = try? String(contentsOfFile: "/proc/\(entry)/status", encoding: .utf8) else { continue }
            var owned = false
            for line in status.split(separator: "\n") {
                if line.hasPrefix("Uid:") { owned = line.split(separator: "\t").dropFirst().first.map(String.init) == uid }
                if owned, line.hasPrefix("Threads:"), let count = Int(line.dropFirst(8).trimmingCharacters(in: .whitespaces)) { tasks += count }
            }
        }
        return tasks
    }
}
