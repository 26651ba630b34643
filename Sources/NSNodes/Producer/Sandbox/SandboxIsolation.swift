import Foundation

/// How the code sandbox shuts a snippet off from the host and from other snippets on this host,
/// decided once at start-up by running a snippet through the real launcher.
///
/// - ``Mode/namespaces``: new user, mount, IPC, network and PID namespaces (`unshare`). The
///   snippet sees the host's filesystem read-only, with its own empty tmpfs (size `SANDBOX_SCRATCH_MB`)
///   as its working directory `/tmp`, as `/var/tmp` and as `/dev/shm`, gone when it ends; the
///   data directory and secret folders covered; no network but a down loopback; its own `/proc`;
///   every process killed with the namespace.
/// - ``Mode/directory``: where namespaces do not work (a container that forbids them) or are
///   refused by `SANDBOX_ISOLATION=directory`: a per-job directory under the temporary folder.
///   The network, other processes and the host's shared temporary folders stay reachable.
///
/// With ``separateUsers`` (nsd runs as root) every snippet runs as its own uid from
/// ``SandboxAccounts``: in directory mode that is what keeps one job out of another's directory
/// and files, and in both modes the process limit is per job rather than shared.
public struct SandboxIsolation: Sendable, Equatable {
    public enum Mode: String, Sendable {
        case namespaces
        case directory
    }

    public let mode: Mode
    public let separateUsers: Bool
    /// Why namespaces are not used, when they are not.
    public let namespaceProblem: String?

    public init(mode: Mode, separateUsers: Bool, namespaceProblem: String?) {
        self.mode = mode
        self.separateUsers = separateUsers
        self.namespaceProblem = namespaceProblem
    }

    public var namespaces: Bool { mode == .namespaces }

    /// The one-line summary `/health` and the start-up log show.
    public var summary: String {
        var parts = ["rlimits", "empty environment"]
        parts.append(separateUsers ? "a uid of its own per job" : "nsd's own uid (jobs are NOT separated from each other by user)")
        switch mode {
        case .namespaces:
            parts.append("user+mount+ipc+pid+network namespaces (no network)")
            parts.append("read-only filesystem with a private tmpfs for /tmp, /var/tmp and /dev/shm")
        case .directory:
            parts.append("per-job directory, no namespaces (\(namespaceProblem ?? "unavailable")): network, processes, the filesystem and the host's /tmp and /dev/shm (unbounded) are NOT isolated")
        }
        return parts.joined(separator: ", ")
    }
}
