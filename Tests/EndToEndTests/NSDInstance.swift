import AsyncHTTPClient
import Foundation
import NIOCore
import NSTestSupport
import Testing

/// A real `nsd` process started by a test, on port 0 with its own data directory.
final class NSDInstance: Sendable {
    let child: ChildProcess
    let dataDirectory: String
    /// Bound port per service name (`gateway-node`, ...), read from the "listening" log lines.
    let ports: [String: Int]

    /// The `nsd` binary built next to the test bundle (or `NSD_BINARY`).
    static func binary() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["NSD_BINARY"] { return explicit }
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("nsd").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/nsd").path,
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ChildProcessError.notFound("the nsd binary (run `swift build` first) in \(candidates)")
        }
        return found
    }

    /// The minimal environment a child gets: nothing of the test runner's own settings.
    static func environment(_ extra: [String: String]) -> [String: String] {
        ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": NSTemporaryDirectory()].merging(extra) { $1 }
    }

    /// Starts `nsd run` with every node on port 0 and waits until `expected` services listen.
    init(roles: [String] = [], environment extra: [String: String] = [:], arguments: [String] = [],
         expected: [String]? = nil, directory: String? = nil, dataDirectory existing: String? = nil, nsPort: Int = 0) async throws {
        let dataDirectory = try existing ?? Tools.temporaryDirectory("nsd-e2e")
        var args = ["run", "--data-dir", dataDirectory, "--gateway-port", "0", "--ns-port", String(nsPort), "--vp-port", "0", "--admin-port", "0"]
        args += roles.flatMap { ["--role", $0] } + arguments
        let child = try ChildProcess(executable: try Self.binary(), arguments: args, environment: Self.environment(extra),
                                     directory: directory ?? dataDirectory)
        let services = expected ?? (roles.isEmpty ? ["ns-node", "vp-node", "gateway-node", "admin-node"] : roles.map { "\($0)-node" })
        try await child.waitForOutput(timeout: .seconds(30)) { lines in
            Set(Self.listening(lines).keys).isSuperset(of: services)
        }
        self.child = child
        self.dataDirectory = dataDirectory
        self.ports = Self.listening(child.stdoutLines)
    }

    static func listening(_ lines: [String]) -> [String: Int] {
        var ports: [String: Int] = [:]
        for object in lines.compactMap(LogLine.parse) where object["message"] as? String == "listening" {
            if let service = object["service"] as? String, let port = object["port"] as? Int { ports[service] = port }
        }
        return ports
    }

    func url(_ service: String, _ path: String) -> String {
        "http://127.0.0.1:\(ports[service] ?? 0)\(path)"
    }

    func stop() async -> Int32? {
        child.signal(SIGTERM)
        return await child.waitForExit(timeout: .seconds(30))
    }
}

/// One JSON log line.
enum LogLine {
    static func parse(_ line: String) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    }
}

/// A plain HTTP GET with the shared client.
struct Fetched: Sendable {
    let status: Int
    let headers: [String: String]
    let body: String

    static func get(_ url: String, headers: [String: String] = [:]) async throws -> Fetched {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 8 * 1024 * 1024)
        var flat: [String: String] = [:]
        for header in response.headers { flat[header.name.lowercased()] = header.value }
        return Fetched(status: Int(response.status.code), headers: flat, body: String(buffer: body))
    }

    var json: [String: Any]? { LogLine.parse(body) }
}

extension Fetched {
    /// A POST with a JSON (or other) body and optional bearer token.
    static func post(_ url: String, body: [UInt8], contentType: String = "application/json", token: String? = nil,
                     headers extra: [String: String] = [:]) async throws -> Fetched {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let collected = try await response.body.collect(upTo: 64 * 1024 * 1024)
        var flat: [String: String] = [:]
        for header in response.headers { flat[header.name.lowercased()] = header.value }
        return Fetched(status: Int(response.status.code), headers: flat, body: String(buffer: collected))
    }
}

extension NSDInstance {
    /// A file in this instance's data directory, as text.
    func dataFile(_ relative: String) throws -> String {
        try String(contentsOfFile: dataDirectory + "/" + relative, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The `nsctl` binary built next to `nsd`.
    static func nsctl() throws -> String {
        (try binary() as NSString).deletingLastPathComponent + "/nsctl"
    }
}
