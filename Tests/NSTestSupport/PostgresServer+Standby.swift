import Foundation
import Synchronization

extension PostgresServer {
    /// The `application_name` the standby streams under, which the primary's
    /// `synchronous_standby_names` names.
    public static let standbyName = "standby1"

    /// A primary and a synchronous streaming standby of it, returned once the primary reports the
    /// standby as `sync`: from then on a commit on the primary returns only after the standby has
    /// flushed it (`synchronous_commit=on`), and blocks while no standby is connected.
    ///
    /// The standby is a `pg_basebackup -R` copy (hot standby: it serves reads, refuses writes).
    /// It runs with `synchronous_standby_names=''`, so that once `promote()`d its own commits do
    /// not wait for a standby it does not have. When this throws, what it started goes with the
    /// last reference to it.
    public static func primaryWithStandby() async throws(PostgresServerError) -> (primary: PostgresServer, standby: PostgresServer) {
        let primary = try await PostgresServer(settings: ["synchronous_standby_names": standbyName])
        let folder = try PostgresCluster.makeFolder()
        do {
            // -R writes primary_conninfo (with the password, in the standby's closed folder) and
            // standby.signal; -c fast starts the backup without waiting for a spread checkpoint.
            _ = try PostgresCluster.run(PostgresCluster.binary("pg_basebackup"),
                                        ["-D", folder + "/data", "-h", "127.0.0.1", "-p", String(primary.port), "-U", primary.user,
                                         "-R", "-X", "stream", "-c", "fast", "--no-sync"],
                                        asServerUser: true, environment: ["PGPASSWORD": primary.password])
        } catch {
            try? FileManager.default.removeItem(atPath: folder)  // the error thrown says what went wrong
            throw error  // the primary goes with its last reference
        }
        // cluster_name is what the walreceiver reports as its application_name.
        let standby = try await PostgresServer(folder: folder, password: primary.password,
                                               settings: [("cluster_name", standbyName), ("synchronous_standby_names", "")])
        let deadline = ContinuousClock.now + .seconds(30)
        while try primary.psql("SELECT sync_state FROM pg_stat_replication WHERE application_name = '\(standbyName)'") != "sync" {
            guard ContinuousClock.now < deadline else {
                throw .notReady("the standby did not become a synchronous standby within 30 s")
            }
            try? await Task.sleep(for: .milliseconds(50))  // cancelled: the deadline still ends the wait
        }
        return (primary, standby)
    }

    /// One cluster for the whole test process, for tests that each take a database of their own
    /// (`createDatabase`) and so do not pay `initdb` each. It is never stopped: the watchdog
    /// removes it when the process ends.
    public static func shared() async throws -> PostgresServer {
        let task = sharedServer.withLock { existing in
            if let existing { return existing }
            let started = Task { () async throws -> PostgresServer in try await PostgresServer() }
            existing = started
            return started
        }
        return try await task.value
    }
}

private let sharedServer = Mutex<Task<PostgresServer, any Error>?>(nil)
