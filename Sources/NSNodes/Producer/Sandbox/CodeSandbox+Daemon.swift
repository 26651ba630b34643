import Foundation
import NSCore

extension CodeSandbox {
    /// The sandbox `nsd` runs with: the configured runtimes and limits, this host's isolation
    /// (probed now), and the daemon's data directory and secret folders hidden from snippets.
    public static func forDaemon(settings: DaemonSettings) -> CodeSandbox {
        CodeSandbox(runtimes: settings.sandboxRuntimes, timeout: settings.sandboxTimeout, maxMemoryMB: settings.sandboxMaxMemoryMB,
                    isolation: SandboxIsolation.detect(), hiddenPaths: hiddenPaths(settings: settings))
    }

    /// Folders that may hold secrets or state: the data directory, `/run/secrets` (compose
    /// secrets), and the working directory when it holds a `.env`. A folder that contains the
    /// temporary folder or a runtime is left visible, since covering it would break the sandbox.
    static func hiddenPaths(settings: DaemonSettings) -> [String] {
        let manager = FileManager.default
        var candidates = [URL(fileURLWithPath: settings.dataDirectory).standardizedFileURL.path, "/run/secrets"]
        let workingDirectory = manager.currentDirectoryPath
        if manager.fileExists(atPath: (workingDirectory as NSString).appendingPathComponent(".env")) { candidates.append(workingDirectory) }
        let temporary = URL(fileURLWithPath: NSTemporaryDirectory()).standardizedFileURL.path
        let needed = [temporary, "/usr", "/bin", "/lib", "/etc"] + settings.sandboxRuntimes.map(\.executable)
        return candidates.filter { path in
            var isDirectory: ObjCBool = false
            guard path != "/", manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return false }
            return !needed.contains { $0 == path || $0.hasPrefix(path + "/") }
        }
    }

    /// `/health`'s `sandbox` check: the launcher's tools are installed and a working directory
    /// can be made; its detail names the isolation in force.
    public func check() -> DependencyCheck {
        DependencyCheck(name: "sandbox", detail: isolation.summary) { [isolation] _ in
            var tools = [SandboxLaunch.env, "/usr/bin/prlimit"]
            if isolation.unprivilegedUser { tools.append("/usr/bin/setpriv") }
            if isolation.namespaces { tools.append("/usr/bin/unshare") }
            if let missing = tools.first(where: { !FileManager.default.isExecutableFile(atPath: $0) }) {
                throw DependencyFailure("\(missing) is missing; install util-linux")
            }
            do {
                SandboxDirectory.remove(try SandboxDirectory.create(owner: isolation.unprivilegedUser ? SandboxIsolation.nobody : nil))
            } catch {
                throw DependencyFailure("cannot create a working directory in \(NSTemporaryDirectory()): \(error)")
            }
        }
    }
}
