import Foundation
import NSCore

extension CodeSandbox {
    /// The sandbox `nsd` runs with: the configured runtimes and limits, the data directory and
    /// secret folders hidden from snippets, and the isolation `SANDBOX_ISOLATION` asks for as far
    /// as this host allows it, found by running a snippet through the real launcher now.
    /// Throws when `SANDBOX_ISOLATION=namespaces` and they do not work here.
    public static func forDaemon(settings: DaemonSettings) async throws(ConfigurationError) -> CodeSandbox {
        let root = geteuid() == 0
        func sandbox(_ placement: Placement) -> CodeSandbox {
            CodeSandbox(runtimes: settings.sandboxRuntimes, timeout: settings.sandboxTimeout, maxMemoryMB: settings.sandboxMaxMemoryMB,
                        scratchMB: settings.sandboxScratchMB,
                        isolation: SandboxIsolation(mode: placement.mode, separateUsers: root, namespaceProblem: placement.problem),
                        hiddenPaths: hiddenPaths(settings: settings), uidBase: settings.sandboxUIDBase, concurrency: settings.jobQueueWorkers,
                        refusal: placement.refusal)
        }
        var problem: String?
        if settings.sandboxIsolation != .directory {
            let namespaced = sandbox(Placement(mode: .namespaces, problem: nil, refusal: nil))
            problem = await namespaced.problem(running: probeRuntime)
            if problem == nil { return namespaced }
        }
        return sandbox(try placement(setting: settings.sandboxIsolation, namespaceProblem: problem, root: root))
    }

    /// Where snippets run, and whether they may run at all.
    struct Placement: Equatable {
        var mode: SandboxIsolation.Mode
        var problem: String?
        /// Why no snippet may run in this placement, when none may.
        var refusal: String?
    }

    /// The decision once the namespace probe has run (`namespaceProblem` is `nil` when it
    /// passed). A fallback to directory mode that would leave nsd's secrets and data in the
    /// snippets' reach (nsd is not root, so they run as its own user) is not taken silently:
    /// snippets are refused until the operator allows namespaces or accepts it explicitly.
    static func placement(setting: SandboxIsolationSetting, namespaceProblem: String?, root: Bool) throws(ConfigurationError) -> Placement {
        switch (setting, namespaceProblem) {
        case (.directory, _):
            return Placement(mode: .directory, problem: "SANDBOX_ISOLATION=directory", refusal: nil)
        case (_, nil):
            return Placement(mode: .namespaces, problem: nil, refusal: nil)
        case (.namespaces, let problem?):
            throw ConfigurationError(variable: "SANDBOX_ISOLATION", problem: "is namespaces, but they do not work on this host (\(problem))",
                                     fix: "allow unprivileged user namespaces (kernel.unprivileged_userns_clone=1, or a container profile that permits unshare), or set SANDBOX_ISOLATION=auto")
        case (.auto, let problem?):
            return Placement(mode: .directory, problem: problem, refusal: root ? nil : unprotectedRefusal)
        }
    }

    static let unprotectedRefusal = """
        snippets would run as nsd's own user with its secrets and data in reach (no user namespaces, nsd not root): \
        allow user namespaces (docs/sandbox.md), run vp-node as root, or set SANDBOX_ISOLATION=directory to accept this
        """

    /// The runtime the isolation probe runs: the shell the launcher needs anyway.
    static let probeRuntime = SandboxRuntime(language: "sh", executable: "/bin/sh")

    /// `nil` when an empty snippet runs in `runtime` through this sandbox and exits 0; what went
    /// wrong otherwise.
    func problem(running runtime: SandboxRuntime) async -> String? {
        do {
            let outcome = try await run("", runtime: runtime)
            if outcome.exitCode == 0 { return nil }
            let said = String(decoding: outcome.stderr.kept, as: UTF8.self).split(whereSeparator: \.isNewline).first.map { ": \($0)" } ?? ""
            return "an empty snippet ended with \(outcome.exitCode.map { "exit code \($0)" } ?? "signal \(outcome.signal ?? 0)")\(said)"
        } catch let failure as SandboxLaunchFailure {
            return failure.reason
        } catch {
            return "\(error)"
        }
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
}
