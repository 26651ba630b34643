import Foundation
import Synchronization

/// A real PostgreSQL cluster for the test that starts it: made by `initdb` in a temporary folder,
/// run by `postgres` on a free loopback port, as the `postgres` OS user when the test runs as root
/// (CI). `fsync` and `synchronous_commit` stay on, so what a commit acknowledged survives `kill9()`.
///
/// Its superuser `postgres` has a password generated per cluster, required over TCP (SCRAM).
/// The server stops and its folder goes away with `stop()`, when the value is released, or, if
/// the test process dies, through a watchdog shell.
public final class PostgresServer: Sendable {
    public let port: Int
    public let user = "postgres"
    public let password: String
    /// The temporary folder: the cluster in `data/`, and the Unix socket.
    public let folder: String
    private let settings: [(String, String)]
    private let running: Mutex<RunningPostgres?>

    /// Makes and starts a cluster. The port is chosen before postgres binds it, so another test
    /// may take it in between; a server that exits at start is retried on another port.
    /// `settings` are passed on as `-c name=value` after the common ones
    /// (`["synchronous_standby_names": "standby1"]`).
    public convenience init(settings: [String: String] = [:]) async throws(PostgresServerError) {
        let folder = try PostgresCluster.makeFolder()
        let password = Self.generatedPassword()
        do {
            try PostgresCluster.initdb(folder: folder, password: password)
        } catch {
            try? FileManager.default.removeItem(atPath: folder)  // the error thrown says what went wrong
            throw error
        }
        try await self.init(folder: folder, password: password, settings: settings.sorted { $0.key < $1.key })
    }

    /// Starts a server on a cluster already made in `folder/data` (by `initdb`, or copied by
    /// `pg_basebackup`), owning the folder from now on.
    init(folder: String, password: String, settings: [(String, String)]) async throws(PostgresServerError) {
        var lastError = PostgresServerError.notReady("no free port postgres could bind")
        for _ in 0..<5 {
            let port: Int
            do { port = try Tools.freePort() } catch { throw .setupFailed("no free port: \(error)") }
            do {
                let started = try await PostgresCluster.launch(folder: folder, port: port, settings: settings)
                self.port = port
                self.password = password
                self.folder = folder
                self.settings = settings
                running = Mutex(started)
                return
            } catch {
                lastError = error
            }
        }
        try? FileManager.default.removeItem(atPath: folder)  // the error thrown says what went wrong
        throw lastError
    }

    /// `postgres://postgres:<password>@127.0.0.1:<port>/postgres`.
    public var url: String { url(database: "postgres") }

    public func url(database: String) -> String {
        "postgres://\(user):\(password)@127.0.0.1:\(port)/\(database)"
    }

    /// Starts the server again on the same folder and port, after `kill9()` or
    /// `stop(keepingData: true)`.
    public func start() async throws(PostgresServerError) {
        guard running.withLock({ $0 == nil }) else { throw .setupFailed("the server at port \(port) is already running") }
        let started = try await PostgresCluster.launch(folder: folder, port: port, settings: settings)
        running.withLock { $0 = started }
    }

    /// Fast shutdown (SIGINT: open transactions roll back, committed data is checkpointed).
    /// The folder is removed unless `keepingData`, which lets `start()` bring the server back.
    public func stop(keepingData: Bool = false) async {
        if let cluster = takeRunning() {
            cluster.postmaster.signal(SIGINT)
            _ = await cluster.postmaster.waitForExit(timeout: .seconds(30))
            await cluster.stopWatchdog()
        }
        if !keepingData { removeFolder() }
    }

    /// kill -9 of the postmaster and all its processes, as a crash would; the folder stays for
    /// `start()`.
    public func kill9() async {
        await takeRunning()?.killAll()
    }

    /// Promotes a standby to a primary (`pg_ctl promote`), returning once it accepts writes.
    public func promote() throws(PostgresServerError) {
        _ = try PostgresCluster.run(PostgresCluster.binary("pg_ctl"), ["promote", "-w", "-t", "30", "-D", folder + "/data"], asServerUser: true)
    }

    /// Runs `sql` with `psql` over TCP as `postgres` with the cluster's password (or
    /// `password`), and returns its unaligned, tuples-only output without the final newline.
    /// `sql` goes as one query, so its statements share one transaction unless it says
    /// otherwise; an error throws with psql's message.
    public func psql(_ sql: String, database: String = "postgres", password: String? = nil) throws(PostgresServerError) -> String {
        let arguments = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", database, "-c", sql]
        let output = try PostgresCluster.run(PostgresCluster.binary("psql"), arguments, asServerUser: false,
                                             environment: ["PGPASSWORD": password ?? self.password, "PGCONNECT_TIMEOUT": "10"])
        return output.hasSuffix("\n") ? String(output.dropLast()) : output
    }

    /// Creates a database (`t_<uuid>` per test keeps tests on one cluster apart).
    public func createDatabase(_ name: String) throws(PostgresServerError) {
        _ = try psql("CREATE DATABASE \"\(name)\"")
    }

    private func takeRunning() -> RunningPostgres? {
        running.withLock { current in
            defer { current = nil }
            return current
        }
    }

    private func removeFolder() {
        try? FileManager.default.removeItem(atPath: folder)  // already gone, or removed by the watchdog
    }

    /// 32 hex digits from the system's secure generator.
    private static func generatedPassword() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    deinit {
        if let cluster = running.withLock({ $0 }) {
            for child in RunningPostgres.children(of: cluster.postmaster.pid) { kill(child, SIGKILL) }
            cluster.postmaster.signal(SIGKILL)
            cluster.watchdog.signal(SIGKILL)
        }
        removeFolder()
    }
}

public enum PostgresServerError: Error, CustomStringConvertible {
    case notInstalled(String)
    case setupFailed(String)
    case notReady(String)
    case commandFailed(command: String, status: Int32, output: String)

    public var description: String {
        switch self {
        case .notInstalled(let what): "not found: \(what)"
        case .setupFailed(let what): "PostgreSQL test cluster: \(what)"
        case .notReady(let what): "PostgreSQL test cluster not ready: \(what)"
        case .commandFailed(let command, let status, let output): "\(command) exited with \(status): \(output)"
        }
    }
}
