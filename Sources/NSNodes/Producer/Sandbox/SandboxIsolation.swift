import Foundation

/// How much of the system the code sandbox can shut the snippet out of on this host, found once
/// at start-up by trying it.
///
/// - `unprivilegedUser`: when nsd runs as root, the snippet runs as `nobody` (65534), so files
///   owned by nsd's user are out of reach by permissions alone.
/// - `namespaces`: a new user, mount, network, and PID namespace (`unshare`): no network but
///   a down loopback, its own `/proc` (other processes, nsd's environment included, are
///   invisible), the data directory and secret folders covered by empty tmpfs mounts, and
///   every process of the snippet killed with the namespace.
/// Without namespaces (a container that forbids them), only the rlimits, the empty
/// environment, the fresh working directory and the process-group kill apply; `/health` says so.
public struct SandboxIsolation: Sendable, Equatable {
    public let unprivilegedUser: Bool
    public let namespaces: Bool
    /// Why namespaces are off, when they are.
    public let namespaceProblem: String?

    public static let nobody: UInt32 = 65534

    /// The one-line summary `/health` and the start-up log show.
    public var summary: String {
        var parts = ["rlimits", "empty environment", "fresh working directory"]
        if unprivilegedUser { parts.append("user nobody") }
        if namespaces {
            parts.append("user+mount+pid+network namespaces (no network)")
        } else {
            parts.append("no namespaces (\(namespaceProblem ?? "unavailable")): network is NOT isolated")
        }
        return parts.joined(separator: ", ")
    }

    /// Probes this host: runs `true` through the same launcher a snippet would get.
    public static func detect() -> SandboxIsolation {
        let root = geteuid() == 0
        let probe = SandboxLaunch(isolation: SandboxIsolation(unprivilegedUser: root, namespaces: true, namespaceProblem: nil),
                                  hiddenPaths: [], limits: .init(cpuSeconds: 2, memoryBytes: 256 << 20, fileBytes: 1 << 20, openFiles: 32, processes: 64))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SandboxLaunch.env)
        process.arguments = probe.arguments(runtime: ["/bin/true"], workingDirectory: "/")
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        do {
            try process.run()
        } catch {
            return SandboxIsolation(unprivilegedUser: root, namespaces: false, namespaceProblem: "cannot run \(SandboxLaunch.env): \(error.localizedDescription)")
        }
        let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 0 { return SandboxIsolation(unprivilegedUser: root, namespaces: true, namespaceProblem: nil) }
        let reason = complaint.split(whereSeparator: \.isNewline).first.map(String.init) ?? "unshare exited \(process.terminationStatus)"
        return SandboxIsolation(unprivilegedUser: root, namespaces: false, namespaceProblem: reason)
    }
}
