import Foundation
import Synchronization

/// What `NetworkTopology` does to the machine: names its namespaces so that no two topologies
/// (in this process or another) collide, runs `ip` (iproute2), and removes everything again,
/// also through a watchdog shell when the test process dies first.
///
/// Every name lives inside namespaces of its own except the optional link from the root
/// namespace, whose interface name is unique as well (prefix, pid, counter).
enum NetworkNamespace {
    private static let counter = Atomic<Int>(0)

    /// The names of one topology: a switch namespace with the bridge, one namespace per host,
    /// and, when the root namespace joins, its end of the link (at most 15 characters, the
    /// kernel's limit for an interface name).
    struct Names: Sendable {
        let stem: String
        let rootLink: String
        /// The third byte of the topology's /24 in 10.250.0.0/16.
        let subnetByte: Int

        var switchNamespace: String { stem + "-sw" }
        func hostNamespace(_ index: Int) -> String { stem + "-h\(index)" }
        /// The host's port on the bridge, inside the switch namespace.
        func switchPort(_ index: Int) -> String { "p\(index)" }
        func address(_ index: Int) -> String { "10.250.\(subnetByte).\(10 + index)" }
        var rootAddress: String { "10.250.\(subnetByte).254" }
    }

    /// Fresh names, and a /24 that no interface of the root namespace uses yet (keyed by pid,
    /// then the next free one), so that a root link cannot shadow a route of the machine.
    static func freshNames() throws(NetworkTopologyError) -> Names {
        let pid = Int(getpid())
        let serial = counter.add(1, ordering: .relaxed).newValue
        let used = try ip(["-4", "-o", "addr", "show"])
        let start = (pid + serial * 7) % 250
        guard let byte = (0..<250).map({ (start + $0) % 250 }).first(where: { !used.contains("10.250.\($0).") }) else {
            throw .setupFailed("no free /24 in 10.250.0.0/16 for a test topology")
        }
        return Names(stem: "nst\(pid)c\(serial)", rootLink: "nt\(pid)r\(serial)", subnetByte: byte)
    }

    /// The iproute2 binary (`iproute2` in scripts/install-deps).
    static func ipBinary() throws(NetworkTopologyError) -> String {
        do { return try Tools.which("ip") } catch { throw .notInstalled("ip (iproute2: scripts/install-deps test)") }
    }

    /// Runs `ip arguments` and returns its output; a non-zero exit throws with that output.
    @discardableResult
    static func ip(_ arguments: [String]) throws(NetworkTopologyError) -> String {
        let binary = try ipBinary()
        let result: (status: Int32, output: String)
        do { result = try Tools.run(binary, arguments) } catch { throw .commandFailed(command: "ip " + arguments.joined(separator: " "), status: -1, output: "\(error)") }
        guard result.status == 0 else { throw .commandFailed(command: "ip " + arguments.joined(separator: " "), status: result.status, output: result.output) }
        return result.output
    }

    /// The shell text that removes a topology: kills every process left in its namespaces
    /// (deleting a namespace alone would leave them running in it), then deletes the namespaces
    /// (which takes their links and the bridge along) and the root link. Each step may find its
    /// object already gone. Arguments: the ip binary, the root link, then the namespaces.
    static let teardownScript = """
        ip="$1"; root="$2"; shift 2
        for ns in "$@"; do pids=$("$ip" netns pids "$ns" 2>/dev/null); [ -n "$pids" ] && kill -KILL $pids 2>/dev/null; done
        for ns in "$@"; do "$ip" netns del "$ns" 2>/dev/null; done
        "$ip" link del "$root" 2>/dev/null
        exit 0
        """

    static func teardownArguments(_ names: Names, hostCount: Int) throws(NetworkTopologyError) -> [String] {
        [try ipBinary(), names.rootLink, names.switchNamespace] + (0..<hostCount).map(names.hostNamespace)
    }

    /// Runs the teardown now and waits for it.
    static func tearDown(_ arguments: [String]) {
        // A failure to start /bin/sh leaves nothing better to do; the watchdog still runs the
        // same teardown when the test process ends.
        _ = try? Tools.run("/bin/sh", ["-c", teardownScript, "netns-teardown"] + arguments)
    }

    /// A shell that runs the teardown once this (test) process is gone. It polls, because the
    /// namespaces belong to no process of ours that the kernel would clean up.
    static func startWatchdog(_ arguments: [String]) throws(NetworkTopologyError) -> ChildProcess {
        let script = """
            while grep -q '^State:[[:space:]]*[^Z]' "/proc/$1/status" 2>/dev/null; do sleep 0.5; done
            shift
            \(teardownScript)
            """
        do {
            return try ChildProcess(executable: "/bin/sh", arguments: ["-c", script, "netns-watchdog", String(getpid())] + arguments,
                                    environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"])
        } catch {
            throw .setupFailed("cannot start the watchdog: \(error)")
        }
    }
}

public enum NetworkTopologyError: Error, CustomStringConvertible {
    case needsRoot
    case notInstalled(String)
    case setupFailed(String)
    case unknownHost(String)
    case commandFailed(command: String, status: Int32, output: String)

    public var description: String {
        switch self {
        case .needsRoot: "network namespaces need root (CI runs as root; run the test with sudo)"
        case .notInstalled(let what): "not found: \(what)"
        case .setupFailed(let what): "test network: \(what)"
        case .unknownHost(let name): "test network: no host named \(name)"
        case .commandFailed(let command, let status, let output): "\(command) exited with \(status): \(output)"
        }
    }
}
