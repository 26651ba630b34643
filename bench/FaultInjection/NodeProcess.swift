import Foundation
import NSTestSupport

/// One `nsd run` process on fixed ports (so clients keep their URLs across restarts), optionally
/// wrapped (e.g. in a mount namespace with a small tmpfs as its data directory, or `ip netns exec`
/// on a test host, listening on that host's `address`).
final class NodeProcess: @unchecked Sendable {
    // @unchecked: mutated only by the scenario's own task, one step at a time.
    let roles: [String]
    let dataDirectory: String
    let ports: [String: Int]
    let environment: [String: String]
    let wrapper: [String]
    let address: String
    private(set) var child: ChildProcess?

    static let nsd = URL(fileURLWithPath: ProcessInfo.processInfo.environment["NSD"] ?? ".build/release/nsd").standardizedFileURL.path

    init(roles: [String], dataDirectory: String, ports: [String: Int], environment: [String: String], wrapper: [String] = [],
         address: String = "127.0.0.1") {
        self.roles = roles
        self.dataDirectory = dataDirectory
        self.ports = ports
        self.environment = environment
        self.wrapper = wrapper
        self.address = address
    }

    func url(_ role: String) -> String { "http://\(address):\(ports[role] ?? 0)" }

    /// Starts the process and waits until every role answers `/health` (whatever its status).
    func start() async throws {
        var arguments = ["run", "--data-dir", dataDirectory, "--host", address]
        for role in roles { arguments += ["--role", role, "--\(role)-port", String(ports[role] ?? 0)] }
        let executable = wrapper.first ?? Self.nsd
        let child = try ChildProcess(executable: executable, arguments: Array(wrapper.dropFirst()) + (wrapper.isEmpty ? [] : [Self.nsd]) + arguments,
                                     environment: ["PATH": "/usr/local/bin:/usr/bin:/bin"].merging(environment) { $1 })
        self.child = child
        for role in roles {
            var answered = false
            for _ in 0..<300 where !answered {
                answered = Tools.canConnect(address: address, port: ports[role] ?? 0)
                if !answered { try await Task.sleep(for: .milliseconds(100)) }
            }
            guard answered else { throw ChildProcessError.notFound("\(role) listening on \(ports[role] ?? 0): \(child.stdout.suffix(1000)) \(child.stderr.suffix(1000))") }
        }
    }

    func kill9() async {
        child?.signal(SIGKILL)
        _ = await child?.waitForExit(timeout: .seconds(10))
    }

    func stop() async {
        child?.signal(SIGTERM)
        _ = await child?.waitForExit(timeout: .seconds(30))
    }

    var pid: Int32? { child?.pid }
}
