import Foundation

/// The command line that starts a snippet inside the sandbox, built from standard util-linux
/// tools so nothing of nsd's own needs to be reachable from inside:
///
/// 1. `env -i PATH=/usr/bin:/bin ...`: nothing of nsd's environment;
/// 2. `setpriv` to the job's own uid, when nsd is root;
/// 3. in namespace mode, `unshare` into new user, mount, IPC, PID and network namespaces;
/// 4. `/bin/sh` running ``setupScript``: (namespaces) the filesystem made read-only, hidden
///    paths covered, the private tmpfs mounted; then the snippet copied from stdin into the
///    working directory; then (namespaces) `setpriv` dropping every capability;
/// 5. `nice` (lowest CPU priority) and `prlimit` with the resource limits;
/// 6. `/bin/sh` running ``readyScript``: prints ``readyMarker`` and becomes the runtime.
///
/// Anything that fails before the marker is a failure of the sandbox, never the snippet's
/// outcome: ``CodeSandbox`` tells the two apart by whether stdout starts with the marker.
public struct SandboxLaunch: Sendable {
    public struct Limits: Sendable, Equatable {
        public var cpuSeconds: Int
        public var memoryBytes: Int
        public var fileBytes: Int
        public var openFiles: Int
        public var processes: Int
        /// Size of the private tmpfs in namespace mode.
        public var scratchBytes: Int
    }

    public static let env = "/usr/bin/env"
    /// The first line of stdout once the sandbox is in place; removed from the captured output.
    static let readyMarker = Array("nsd-sandbox-ready\n".utf8)
    /// The name the snippet has in its working directory.
    static let snippetName = "snippet"
    /// The working directory inside the namespaces: the private tmpfs's root.
    static let namespaceWorkingDirectory = "/tmp"

    let isolation: SandboxIsolation
    /// Absolute paths covered with an empty read-only tmpfs inside the mount namespace: the data
    /// directory, secret folders.
    let hiddenPaths: [String]
    let limits: Limits
    /// The uid the snippet runs as (nsd is root), or `nil` to stay nsd's user.
    let uid: UInt32?

    /// Arguments for ``env`` (the executable); `runtime` is the interpreter and its arguments.
    /// `workingDirectory` is the per-job host directory in directory mode and ignored in
    /// namespace mode. The snippet's text is the process's stdin.
    func arguments(runtime: [String], workingDirectory: String) -> [String] {
        let home = isolation.namespaces ? Self.namespaceWorkingDirectory : workingDirectory
        var arguments = ["-i", "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "HOME=\(home)", "TMPDIR=\(home)"]
        if let uid {
            arguments += ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "--"]
        }
        if isolation.namespaces {
            arguments += ["/usr/bin/unshare", "--user", "--map-root-user", "--mount", "--net", "--ipc", "--pid", "--fork", "--kill-child", "--mount-proc", "--"]
        }
        // The script's inputs are arguments, never spliced into its text: $0 is the scratch
        // size (0 in directory mode), then the hidden paths up to "--", then the command.
        let scratch = isolation.namespaces ? limits.scratchBytes : 0
        arguments += ["/bin/sh", "-c", Self.setupScript, String(scratch)] + (isolation.namespaces ? hiddenPaths : []) + ["--"]
        // Lowest CPU priority: a snippet (or a fork bomb within its limits) never starves the daemon.
        arguments += ["/usr/bin/nice", "-n", "19"]
        arguments += [
            "/usr/bin/prlimit",
            "--cpu=\(limits.cpuSeconds)", "--as=\(limits.memoryBytes)", "--fsize=\(limits.fileBytes)",
            "--nofile=\(limits.openFiles)", "--nproc=\(limits.processes)", "--core=0", "--",
        ]
        arguments += ["/bin/sh", "-c", Self.readyScript, "nsd-sandbox"]
        return arguments + runtime + [Self.snippetName]
    }

    /// Runs in the job's namespaces (or, in directory mode, in its directory). With a scratch
    /// size: every mount of files the job's user can reach made read-only (a mount point with an
    /// escaped character is decoded first; one it cannot reach needs nothing; one already
    /// read-only, the three the scratch tmpfs covers, and the kernel's interfaces such as proc,
    /// sysfs and cgroup, whose files only the host's root may write, are left: each remount is
    /// a process, and they are most of a short snippet's cost); hidden paths it can reach
    /// covered (one it cannot reach is hidden already); one tmpfs mounted on `/tmp` with its
    /// subfolders bound over `/var/tmp`, `/dev/shm` and finally `/tmp` itself, so the three share
    /// one size limit and the tmpfs's root is reachable from nowhere. Then the snippet is copied
    /// from stdin, only the owner may read what the job writes, and the rest runs with stdin closed
    /// and, in the namespaces, without any capability (no bounding set, no new privileges): root
    /// of its own user namespace, the snippet could otherwise unmount the covers and remount the
    /// filesystem writable, since mounts made inside the namespace are not locked.
    static let setupScript = #"""
        fail() { echo "nsd-sandbox: $*" >&2; exit 125; }
        if [ "$0" != 0 ]; then
          while read -r _ _ _ _ point options rest; do
            case $options in ro|ro,*) continue;; esac
            type=${rest#*- }; type=${type%% *}
            case $type in proc|sysfs|cgroup|cgroup2|devpts|securityfs|debugfs|tracefs|pstore|configfs|bpf|efivarfs|fusectl|binfmt_misc) continue;; esac
            case $point in /tmp|/var/tmp|/dev/shm) continue;; *\\*) point=$(printf '%s' "$point" | sed 's/\\\([0-7][0-7]*\)/\\0\1/g'); point=$(printf '%b' "$point");; esac
            [ -e "$point" ] || continue
            mount -o remount,bind,ro "$point" 2>/dev/null || fail "cannot make the filesystem read-only (a remount was refused)"
          done < /proc/self/mountinfo
          while [ "$1" != "--" ]; do
            if [ -e "$1" ]; then mount -t tmpfs -o ro,size=4k,mode=0 nsd-hidden "$1" || fail "cannot hide a folder"; fi
            shift
          done
          mount -t tmpfs -o "size=$0,nr_inodes=4096,mode=0755,nosuid,nodev" nsd-scratch /tmp || fail "cannot mount the scratch tmpfs"
          mkdir /tmp/work /tmp/var-tmp /tmp/shm || fail "cannot lay out the scratch tmpfs"
          if [ -d /var/tmp ]; then mount --bind /tmp/var-tmp /var/tmp || fail "cannot mount /var/tmp"; fi
          if [ -d /dev/shm ]; then mount --bind /tmp/shm /dev/shm || fail "cannot mount /dev/shm"; fi
          mount --bind /tmp/work /tmp && cd /tmp || fail "cannot mount the working directory"
        fi
        shift
        umask 077
        cat > snippet || fail "cannot write the snippet"
        if [ "$0" != 0 ]; then
          exec /usr/bin/setpriv --bounding-set=-all --inh-caps=-all --ambient-caps=-all --no-new-privs -- "$@" < /dev/null
        fi
        exec "$@" < /dev/null
        """#

    /// The last step before the runtime, after the limits are in force: a runtime hidden from
    /// the job fails here, before the marker, as the sandbox's fault.
    static let readyScript = #"""
        [ -x "$1" ] || { echo "nsd-sandbox: $1 cannot be run inside the sandbox" >&2; exit 125; }
        unset OLDPWD PWD
        printf 'nsd-sandbox-ready\n' && exec "$@"
        """#
}
