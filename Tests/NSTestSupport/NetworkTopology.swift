import Foundation
import Synchronization

/// Several hosts on one machine for tests that need a real network between processes: each
/// host is a network namespace with `lo` and one `eth0`, plugged by a veth pair into a bridge
/// that lives in a namespace of its own, on a private /24 (`10.250.X.0/24`, chosen so the root
/// namespace uses none of it). Traffic stays inside these namespaces, unless
/// `reachableFromRoot` also plugs the root namespace in (at `.254`) so that the test process
/// itself can talk HTTP to a host.
///
/// A host's link can be cut and restored at the switch (`cut`, `restore`): its processes keep
/// running and keep their addresses, but no packet goes in or out, as with a pulled cable.
///
/// Needs root (CI runs as root) and iproute2. Everything goes away with `stop()`, when the value
/// is released, or, if the test process dies, through a watchdog shell; processes still running
/// in a host are killed then.
public final class NetworkTopology: Sendable {
    public let hosts: [NetworkHost]
    /// The root namespace's address on the switch, when it was plugged in.
    public let rootAddress: String?
    private let names: NetworkNamespace.Names
    private let teardown: [String]
    private let watchdog: Mutex<ChildProcess?>

    /// Creates one host per name, in order (`10.250.X.10`, `.11`, ...).
    public init(hosts hostNames: [String], reachableFromRoot: Bool = false) throws(NetworkTopologyError) {
        guard geteuid() == 0 else { throw .needsRoot }
        guard Set(hostNames).count == hostNames.count, !hostNames.isEmpty else { throw .setupFailed("host names must be distinct and at least one: \(hostNames)") }
        let names = try NetworkNamespace.freshNames()
        let teardown = try NetworkNamespace.teardownArguments(names, hostCount: hostNames.count)
        let watchdog = try NetworkNamespace.startWatchdog(teardown)
        do {
            try Self.build(names, hostCount: hostNames.count, reachableFromRoot: reachableFromRoot)
        } catch {
            watchdog.signal(SIGKILL)
            NetworkNamespace.tearDown(teardown)
            throw error
        }
        self.names = names
        self.teardown = teardown
        self.watchdog = Mutex(watchdog)
        rootAddress = reachableFromRoot ? names.rootAddress : nil
        hosts = hostNames.enumerated().map { index, name in
            NetworkHost(name: name, namespace: names.hostNamespace(index), address: names.address(index), switchNamespace: names.switchNamespace,
                        switchPort: names.switchPort(index))
        }
    }

    private static func build(_ names: NetworkNamespace.Names, hostCount: Int, reachableFromRoot: Bool) throws(NetworkTopologyError) {
        let bridge = ["-n", names.switchNamespace]
        try NetworkNamespace.ip(["netns", "add", names.switchNamespace])
        try NetworkNamespace.ip(bridge + ["link", "set", "lo", "up"])
        try NetworkNamespace.ip(bridge + ["link", "add", "br0", "type", "bridge"])
        try NetworkNamespace.ip(bridge + ["link", "set", "br0", "up"])
        for index in 0..<hostCount {
            let host = names.hostNamespace(index), port = names.switchPort(index)
            try NetworkNamespace.ip(["netns", "add", host])
            try NetworkNamespace.ip(["-n", host, "link", "set", "lo", "up"])
            try NetworkNamespace.ip(bridge + ["link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", host])
            try NetworkNamespace.ip(bridge + ["link", "set", port, "master", "br0"])
            try NetworkNamespace.ip(bridge + ["link", "set", port, "up"])
            try NetworkNamespace.ip(["-n", host, "addr", "add", names.address(index) + "/24", "dev", "eth0"])
            try NetworkNamespace.ip(["-n", host, "link", "set", "eth0", "up"])
        }
        guard reachableFromRoot else { return }
        try NetworkNamespace.ip(["link", "add", names.rootLink, "type", "veth", "peer", "name", "proot", "netns", names.switchNamespace])
        try NetworkNamespace.ip(bridge + ["link", "set", "proot", "master", "br0"])
        try NetworkNamespace.ip(bridge + ["link", "set", "proot", "up"])
        try NetworkNamespace.ip(["addr", "add", names.rootAddress + "/24", "dev", names.rootLink])
        try NetworkNamespace.ip(["link", "set", names.rootLink, "up"])
    }

    /// The host named `name`.
    public func host(_ name: String) throws(NetworkTopologyError) -> NetworkHost {
        guard let host = hosts.first(where: { $0.name == name }) else { throw .unknownHost(name) }
        return host
    }

    /// Cuts `host` off the network at the switch: established connections stall (no reset),
    /// new ones fail, as with a pulled cable. Its processes keep running.
    public func cut(_ host: NetworkHost) throws(NetworkTopologyError) {
        try NetworkNamespace.ip(["-n", host.switchNamespace, "link", "set", host.switchPort, "down"])
    }

    /// Plugs `host` back in after `cut`.
    public func restore(_ host: NetworkHost) throws(NetworkTopologyError) {
        try NetworkNamespace.ip(["-n", host.switchNamespace, "link", "set", host.switchPort, "up"])
    }

    /// Kills every process still running in the hosts and removes the namespaces and links.
    public func stop() {
        guard let watchdog = watchdog.withLock({ current in defer { current = nil }; return current }) else { return }
        watchdog.signal(SIGKILL)
        NetworkNamespace.tearDown(teardown)
    }

    /// The namespaces that exist now, as `ip netns list` shows them (to check a teardown).
    public static func existingNamespaces() throws(NetworkTopologyError) -> [String] {
        try NetworkNamespace.ip(["netns", "list"]).split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    /// The names of this topology's namespaces, switch first.
    public var namespaces: [String] { Array(teardown.dropFirst(2)) }

    deinit { stop() }
}

/// One host of a `NetworkTopology`: a network namespace reached at `address`.
public struct NetworkHost: Sendable {
    public let name: String
    public let namespace: String
    public let address: String
    let switchNamespace: String
    let switchPort: String

    /// Starts `executable` inside this host's namespace (`ip netns exec`, which execs it: the
    /// child's pid is the program's own, so signals reach it directly).
    public func spawn(_ executable: String, _ arguments: [String], environment: [String: String], directory: String? = nil) throws -> ChildProcess {
        try ChildProcess(executable: try NetworkNamespace.ipBinary(), arguments: ["netns", "exec", namespace, executable] + arguments,
                         environment: environment, directory: directory)
    }

    /// Runs `executable` inside this host's namespace to completion, at most `timeout` seconds
    /// (coreutils `timeout`: a peer that has been cut off makes a client wait), and returns its
    /// exit status (124 when it timed out) and combined output. Secrets go in `environment`;
    /// `input` is written to its stdin.
    public func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], input: String = "",
                    timeout: Int = 10) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["-s", "KILL", String(timeout), try NetworkNamespace.ipBinary(), "netns", "exec", namespace, executable] + arguments
        process.environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"].merging(environment) { $1 }
        let stdin = Pipe()
        let output = Pipe()
        process.standardInput = stdin
        process.standardOutput = output
        process.standardError = output
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
