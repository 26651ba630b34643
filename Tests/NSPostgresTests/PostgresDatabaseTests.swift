import Foundation
import Logging
import NSCore
import NSPostgres
import NSTestSupport
import PostgresNIO
import Testing

/// The database layer over real clusters: it finds the host that takes writes, follows a
/// promotion after the primary dies, gives up on a silent host within its deadline, and reports a
/// refused password clearly without the password.
@Suite("PostgreSQL database hosts", .serialized)
struct PostgresDatabaseTests {
    static func one(_ database: NSPostgres.PostgresDatabase, _ sql: PostgresQuery) async throws -> String {
        try await database.read { connection in
            for try await value in try await connection.query(sql, logger: Logger(label: "test")).decode(String.self) { return value }
            return ""
        }
    }

    @Test("locate picks the primary of a primary and standby, whichever the URL lists first; `any` takes the first", .timeLimit(.minutes(2)))
    func locatesPrimary() async throws {
        let (primary, standby) = try await PostgresServer.primaryWithStandby()
        let open = try OpenDatabase(standby.databaseURL(hosts: [primary]))
        #expect(open.database.currentPrimary == nil)
        try await open.database.write { connection in
            try await connection.query("CREATE TABLE placed (v text)", logger: Logger(label: "test"))
            try await connection.query("INSERT INTO placed VALUES ('on the primary')", logger: Logger(label: "test"))
        }
        #expect(open.database.currentPrimary?.port == primary.port)
        #expect(try await Self.one(open.database, "SELECT (NOT pg_is_in_recovery())::text") == "true")
        #expect(try primary.psql("SELECT v FROM placed") == "on the primary")
        #expect(try primary.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'nsd test'") != "0")
        await open.stop()

        let any = try OpenDatabase(standby.databaseURL(hosts: [primary], query: "sslmode=disable&target_session_attrs=any"))
        #expect(try await Self.one(any.database, "SELECT pg_is_in_recovery()::text") == "true")
        #expect(any.database.currentPrimary?.port == standby.port)
        await any.stop()
        await standby.stop()
        await primary.stop()
    }

    @Test("after kill -9 of the primary and promotion of the standby, writes succeed again within seconds on the new primary",
          .timeLimit(.minutes(2)))
    func followsPromotion() async throws {
        let (primary, standby) = try await PostgresServer.primaryWithStandby()
        let open = try OpenDatabase(primary.databaseURL(hosts: [standby]), timeout: .seconds(2))
        let database = open.database
        try await database.write { _ = try await $0.query("CREATE TABLE counted (v int)", logger: Logger(label: "test")) }
        try await database.write { _ = try await $0.query("INSERT INTO counted VALUES (1)", logger: Logger(label: "test")) }

        await primary.kill9()
        await #expect(throws: PostgresDatabaseError.self) {
            try await database.write { _ = try await $0.query("INSERT INTO counted VALUES (2)", logger: Logger(label: "test")) }
        }
        try standby.promote()
        let promoted = ContinuousClock.now
        var written = false
        while !written, ContinuousClock.now - promoted < .seconds(10) {
            do {
                try await database.write { _ = try await $0.query("INSERT INTO counted VALUES (3)", logger: Logger(label: "test")) }
                written = true
            } catch let error as PostgresDatabaseError {
                #expect(error.isUnavailable, "\(error)")
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(written)
        #expect(ContinuousClock.now - promoted < .seconds(10))
        #expect(database.currentPrimary?.port == standby.port)
        #expect(try standby.psql("SELECT string_agg(v::text, ',' ORDER BY v) FROM counted") == "1,3")
        await open.stop()
        await standby.stop()
        await primary.stop()
    }

    @Test("a host that accepts TCP but never answers fails within the deadline, not after the pool's 60 s", .timeLimit(.minutes(1)))
    func silentHostHitsDeadline() async throws {
        let silent = try SilentListener()
        let open = try OpenDatabase("postgres://postgres:pw@127.0.0.1:\(silent.port)/postgres?sslmode=disable", timeout: .seconds(1))
        let started = ContinuousClock.now
        let error = await #expect(throws: PostgresDatabaseError.self) { _ = try await Self.one(open.database, "SELECT 'never'") }
        #expect(ContinuousClock.now - started < .seconds(4))
        #expect(error?.isUnavailable == true)
        #expect(error?.description.contains("127.0.0.1:\(silent.port)") == true, "\(String(describing: error))")
        await open.stop()
    }

    @Test("a wrong password is reported as the server's refusal, without the password")
    func wrongPassword() async throws {
        let server = try await PostgresServer.shared()
        let wrong = "Wr0ngPassw0rd\(UInt32.random(in: 0...UInt32.max))"
        let open = try OpenDatabase("postgres://postgres:\(wrong)@127.0.0.1:\(server.port)/postgres?sslmode=disable", timeout: .seconds(3))
        let error = await #expect(throws: PostgresDatabaseError.self) { _ = try await Self.one(open.database, "SELECT 'no'") }
        let text = error?.description ?? ""
        #expect(text.contains("password authentication failed for user \"postgres\""), "\(text)")
        #expect(text.contains("28P01"), "\(text)")
        #expect(!text.contains(wrong))
        #expect(!text.contains(server.password))
        await open.stop()
    }

    @Test("two hosts that both take writes are a split brain: neither is used and the error names both", .timeLimit(.minutes(1)))
    func splitBrainRefused() async throws {
        let first = try await PostgresServer()
        let second = try await PostgresServer()
        _ = try second.psql("ALTER USER postgres PASSWORD '\(first.password)'")
        let open = try OpenDatabase(first.databaseURL(hosts: [second]))
        let error = await #expect(throws: PostgresDatabaseError.self) { _ = try await Self.one(open.database, "SELECT 'no'") }
        guard case .splitBrain(let hosts) = error else {
            Issue.record("expected a split brain, got \(String(describing: error))")
            return
        }
        #expect(hosts == ["127.0.0.1:\(first.port)", "127.0.0.1:\(second.port)"])
        #expect(!(error?.description.contains(first.password) ?? true))
        await open.stop()
        await first.stop()
        await second.stop()
    }
}
