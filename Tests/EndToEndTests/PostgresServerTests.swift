import Foundation
import NSTestSupport
import Testing

/// The PostgreSQL clusters the ledger and admin stores are tested against are real: they demand
/// the password, keep what they acknowledged through kill -9, and replicate synchronously.
@Suite("PostgreSQL test clusters")
struct PostgresServerTests {
    @Test("a cluster answers at its url with its password, refuses a wrong one, and runs durable", .timeLimit(.minutes(1)))
    func answersWithPassword() async throws {
        let server = try await PostgresServer()
        #expect(server.url == "postgres://postgres:\(server.password)@127.0.0.1:\(server.port)/postgres")
        #expect(server.password.count == 32)
        #expect(try server.psql("SELECT 1") == "1")
        let refused = #expect(throws: PostgresServerError.self) { try server.psql("SELECT 1", password: "not-" + server.password) }
        #expect(refused?.description.contains("password authentication failed") == true)
        #expect(try server.psql("SHOW fsync") == "on")
        #expect(try server.psql("SHOW synchronous_commit") == "on")
        #expect(try server.psql("SHOW listen_addresses") == "127.0.0.1")

        await server.stop()
        #expect(!Tools.canConnect(port: server.port))
        #expect(!FileManager.default.fileExists(atPath: server.folder))
    }

    @Test("kill -9 of the server loses no committed row: started again on its folder, it still has it", .timeLimit(.minutes(1)))
    func killNineKeepsCommittedRows() async throws {
        let server = try await PostgresServer()
        try server.createDatabase("t_crash")
        _ = try server.psql("CREATE TABLE acknowledged (v text); INSERT INTO acknowledged VALUES ('before the crash')", database: "t_crash")

        await server.kill9()
        #expect(!Tools.canConnect(port: server.port))
        #expect(throws: PostgresServerError.self) { try server.psql("SELECT 1") }
        try await server.start()
        #expect(try server.psql("SELECT v FROM acknowledged", database: "t_crash") == "before the crash")
        await server.stop()
    }

    @Test("primary and standby: commits wait for the standby, which serves them read-only until promoted and then takes writes",
          .timeLimit(.minutes(1)))
    func synchronousStandbyPromotes() async throws {
        let (primary, standby) = try await PostgresServer.primaryWithStandby()
        let standbyState = "SELECT sync_state FROM pg_stat_replication WHERE application_name = '\(PostgresServer.standbyName)'"
        #expect(try primary.psql(standbyState) == "sync")
        #expect(try primary.psql("SHOW synchronous_commit") == "on")
        // remote_apply: returns once the standby has applied it, so a read there sees it at once.
        _ = try primary.psql("SET synchronous_commit = remote_apply; CREATE TABLE acknowledged (v text); INSERT INTO acknowledged VALUES ('one')")
        #expect(try standby.psql("SELECT v FROM acknowledged") == "one")

        // With the standby down, a commit (synchronous_commit=on) does not return; it does once
        // the standby is back.
        await standby.kill9()
        let blocked = Task.detached {
            _ = try primary.psql("INSERT INTO acknowledged VALUES ('two')")
            return ContinuousClock.now
        }
        try await Task.sleep(for: .seconds(1))
        let standbyBack = ContinuousClock.now
        try await standby.start()
        #expect(try await blocked.value > standbyBack)
        #expect(try await Self.eventually { try standby.psql("SELECT count(*) FROM acknowledged") == "2" })

        let refused = #expect(throws: PostgresServerError.self) { try standby.psql("INSERT INTO acknowledged VALUES ('on the standby')") }
        #expect(refused?.description.contains("read-only transaction") == true)

        await primary.stop()
        try standby.promote()
        _ = try standby.psql("INSERT INTO acknowledged VALUES ('three')")
        #expect(try standby.psql("SELECT string_agg(v, ',' ORDER BY v) FROM acknowledged") == "one,three,two")
        await standby.stop()
    }

    /// Polls `condition` for up to 5 s (a standby applies what it has flushed a moment later).
    static func eventually(_ condition: () throws -> Bool) async throws -> Bool {
        for _ in 0..<100 {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
