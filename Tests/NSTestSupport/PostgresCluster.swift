import Foundation

/// What `PostgresServer` does to the machine: finds the PostgreSQL binaries, runs them as the
/// `postgres` OS user when the tests run as root (CI), and makes, starts and kills clusters.
enum PostgresCluster {
    /// The settings every test cluster runs with: loopback only, real durability (`fsync` and
    /// `synchronous_commit` on, which the durability tests rely on), and WAL a standby can stream.
    static let commonSettings: [(String, String)] = [
        ("listen_addresses", "127.0.0.1"),
        ("fsync", "on"),
        ("synchronous_commit", "on"),
        ("wal_level", "replica"),
        ("max_wal_senders", "4"),
        ("hot_standby", "on"),
    ]

    /// `NS_PG_BINDIR`, else the newest `/usr/lib/postgresql/<version>/bin` (Debian's layout,
    /// which is not on PATH).
    static func binDirectory() throws(PostgresServerError) -> String {
        if let configured = ProcessInfo.processInfo.environment["NS_PG_BINDIR"], !configured.isEmpty { return configured }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])  // no folder: reported just below
            .compactMap(Int.init)
            .filter { FileManager.default.isExecutableFile(atPath: "\(root)/\($0)/bin/postgres") }
        guard let newest = versions.max() else {
            throw .notInstalled("PostgreSQL binaries under \(root)/*/bin (install them: scripts/install-deps test, or set NS_PG_BINDIR)")
        }
        return "\(root)/\(newest)/bin"
    }

    /// PostgreSQL refuses to run as root; as root its programs run as `postgres` instead.
    static var runsAsRoot: Bool { geteuid() == 0 }

    /// `command` prefixed so that it runs as the `postgres` user when we are root.
    static func asServerUser(_ command: [String]) -> [String] {
        runsAsRoot ? ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] + command : command
    }

    /// A fresh temporary folder the server user owns (and alone can enter).
    static func makeFolder() throws(PostgresServerError) -> String {
        let folder: String
        do { folder = try Tools.temporaryDirectory("pg") } catch { throw .setupFailed("cannot create a temporary folder: \(error)") }
        try handOver(folder, mode: 0o700)
        return folder
    }

    /// Gives `path` to the server user (when we are root) with `mode`.
    static func handOver(_ path: String, mode: mode_t) throws(PostgresServerError) {
        guard chmod(path, mode) == 0 else { throw .setupFailed("chmod \(path): \(String(cString: strerror(errno)))") }
        guard runsAsRoot else { return }
        guard let user = getpwnam("postgres") else {
            throw .setupFailed("no 'postgres' OS user to run PostgreSQL as (the Debian postgresql package creates it)")
        }
        guard chown(path, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else {
            throw .setupFailed("chown postgres \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Makes a cluster in `folder/data` whose superuser `postgres` has `password` (SCRAM over
    /// TCP; the Unix socket, in the closed folder, trusts).
    static func initdb(folder: String, password: String) throws(PostgresServerError) {
        let passwordFile = folder + "/pwfile"
        guard FileManager.default.createFile(atPath: passwordFile, contents: Data(password.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw .setupFailed("cannot write \(passwordFile)")
        }
        defer { unlink(passwordFile) }
        try handOver(passwordFile, mode: 0o600)
        // --no-sync: only initdb's own files skip fsync (a machine crash during a test loses the
        // cluster anyway); the server itself runs with fsync on.
        _ = try run(binary("initdb"), ["-D", folder + "/data", "-U", "postgres", "-E", "UTF8", "--locale=C", "--auth-local=trust",
                                       "--auth-host=scram-sha-256", "--pwfile=" + passwordFile, "--no-sync", "--no-instructions"], asServerUser: true)
    }

    static func binary(_ name: String) throws(PostgresServerError) -> String { try binDirectory() + "/" + name }

    /// Runs a PostgreSQL tool to completion and returns its output; a non-zero exit throws.
    /// Secrets go in `environment` (`PGPASSWORD`), never in `arguments`.
    static func run(_ executable: String, _ arguments: [String], asServerUser: Bool, environment: [String: String] = [:]) throws(PostgresServerError) -> String {
        let command = asServerUser ? Self.asServerUser([executable] + arguments) : [executable] + arguments
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.environment = environment.merging(["LC_ALL": "C"]) { mine, _ in mine }
        process.currentDirectoryURL = URL(fileURLWithPath: "/")  // the server user may not enter ours
        let output = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        do { try process.run() } catch { throw .commandFailed(command: executable, status: -1, output: "\(error)") }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw .commandFailed(command: ([executable] + arguments).joined(separator: " "), status: process.terminationStatus, output: text)
        }
        return text
    }

    /// Starts `postgres` on `folder/data` and waits until it accepts connections. Throws
    /// `notReady` with the server's log when it exited before that (most often: another process
    /// took `port` meanwhile).
    static func launch(folder: String, port: Int, settings: [(String, String)]) async throws(PostgresServerError) -> RunningPostgres {
        let postgres = try binary("postgres")
        var arguments = ["-D", folder + "/data", "-p", String(port), "-k", folder]
        for (name, value) in commonSettings + settings { arguments += ["-c", "\(name)=\(value)"] }
        let command = asServerUser([postgres] + arguments)
        let postmaster: ChildProcess
        do { postmaster = try ChildProcess(executable: command[0], arguments: Array(command.dropFirst()), environment: ["LC_ALL": "C"], directory: "/") } catch {
            throw .setupFailed("cannot start postgres: \(error)")
        }
        let watchdog = try startWatchdog(postmaster: postmaster.pid, folder: folder)
        let running = RunningPostgres(postmaster: postmaster, watchdog: watchdog)
        let deadline = ContinuousClock.now + .seconds(30)
        let isReady = try binary("pg_isready")
        while postmaster.isRunning {
            // pg_isready exits non-zero while the server starts (or recovers): asked again.
            if (try? run(isReady, ["-q", "-h", "127.0.0.1", "-p", String(port), "-t", "2"], asServerUser: false)) != nil { return running }
            guard ContinuousClock.now < deadline else {
                await running.killAll()
                throw .notReady("postgres did not accept connections within 30 s: \(postmaster.stderr)")
            }
            try? await Task.sleep(for: .milliseconds(50))  // cancelled: the deadline still ends the wait
        }
        await running.killAll()
        throw .notReady("postgres exited at start on port \(port): \(postmaster.stderr)")
    }

    /// A shell that kills the postmaster and removes `folder` once this (test) process is gone,
    /// so that a crashed test leaves no server behind. It polls because the server runs in no
    /// process group or session of ours that the kernel would clean up.
    static func startWatchdog(postmaster: pid_t, folder: String) throws(PostgresServerError) -> ChildProcess {
        let script = """
            while grep -q '^State:[[:space:]]*[^Z]' "/proc/$1/status" 2>/dev/null; do sleep 0.5; done
            kill -KILL "$2" 2>/dev/null; sleep 1; rm -rf "$3"
            """
        do {
            return try ChildProcess(executable: "/bin/sh", arguments: ["-c", script, "pg-watchdog", String(getpid()), String(postmaster), folder],
                                    environment: ["PATH": "/usr/bin:/bin"])
        } catch {
            throw .setupFailed("cannot start the watchdog: \(error)")
        }
    }
}

/// A started postmaster and the watchdog that kills it if the test process dies first.
struct RunningPostgres: Sendable {
    let postmaster: ChildProcess
    let watchdog: ChildProcess

    /// kill -9 of the whole server: the postmaster and every process it started.
    func killAll() async {
        let children = Self.children(of: postmaster.pid)
        postmaster.signal(SIGKILL)
        for child in children { kill(child, SIGKILL) }
        _ = await postmaster.waitForExit(timeout: .seconds(10))
        let deadline = ContinuousClock.now + .seconds(10)
        while children.contains(where: Self.isAlive), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))  // cancelled: the deadline still ends the wait
        }
        await stopWatchdog()
    }

    func stopWatchdog() async {
        watchdog.signal(SIGKILL)
        _ = await watchdog.waitForExit(timeout: .seconds(5))
    }

    /// The processes whose parent is `parent`, from `/proc/<pid>/stat`.
    static func children(of parent: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []  // no /proc: nothing to find
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),  // gone meanwhile
                  let nameEnd = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: nameEnd)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == parent ? pid : nil
        }
    }

    /// Whether `pid` still runs (a zombie waiting for its new parent to reap it does not).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return false }  // gone
        let state = status.split(separator: "\n").first { $0.hasPrefix("State:") }
        return state.map { !$0.contains("Z") } ?? false
    }
}
