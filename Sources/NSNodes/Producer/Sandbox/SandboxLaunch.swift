import Foundation

/// The command line that starts a snippet inside the sandbox, built from standard util-linux
/// tools so nothing of nsd's own needs to be reachable from inside:
///
/// `env -i PATH=/usr/bin:/bin` (nothing of nsd's environment), then `setpriv` to `nobody` when
/// nsd is root, then `unshare` into new user, mount, PID and network namespaces with its own
/// `/proc`, then `/bin/sh` covering each hidden path with an empty read-only tmpfs, then `nice`
/// (lowest CPU priority) and `prlimit` with the resource limits, then the runtime in the working
/// directory.
public struct SandboxLaunch: Sendable {
    public struct Limits: Sendable, Equatable {
        public var cpuSeconds: Int
        public var memoryBytes: Int
        public var fileBytes: Int
        public var openFiles: Int
        public var processes: Int
    }

    public static let env = "/usr/bin/env"

    let isolation: SandboxIsolation
    /// Absolute paths covered with an empty tmpfs inside the mount namespace: the data
    /// directory, secret folders.
    let hiddenPaths: [String]
    let limits: Limits

    /// Arguments for ``env`` (the executable); `runtime` is the interpreter and its arguments
    /// with the snippet's file last.
    func arguments(runtime: [String], workingDirectory: String) -> [String] {
        var arguments = ["-i", "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "HOME=\(workingDirectory)", "TMPDIR=\(workingDirectory)"]
        if isolation.unprivilegedUser {
            arguments += ["/usr/bin/setpriv", "--reuid=\(SandboxIsolation.nobody)", "--regid=\(SandboxIsolation.nobody)", "--clear-groups", "--"]
        }
        if isolation.namespaces {
            arguments += ["/usr/bin/unshare", "--user", "--map-root-user", "--mount", "--net", "--pid", "--fork", "--kill-child", "--mount-proc", "--"]
            // The script mounts over each path given before "--", then runs what follows; the
            // paths and the command are arguments, never spliced into the script text.
            let script = """
                while [ "$1" != "--" ]; do mount -t tmpfs -o ro,size=4k,mode=0 nsd-hidden "$1" || exit 125; shift; done; shift; \
                cd "$0" || exit 125; unset OLDPWD PWD; exec "$@"
                """
            arguments += ["/bin/sh", "-c", script, workingDirectory] + hiddenPaths + ["--"]
        }
        // Lowest CPU priority: a snippet (or a fork bomb within its limits) never starves the daemon.
        arguments += ["/usr/bin/nice", "-n", "19"]
        arguments += [
            "/usr/bin/prlimit",
            "--cpu=\(limits.cpuSeconds)", "--as=\(limits.memoryBytes)", "--fsize=\(limits.fileBytes)",
            "--nofile=\(limits.openFiles)", "--nproc=\(limits.processes)", "--core=0", "--",
        ]
        return arguments + runtime
    }
}
