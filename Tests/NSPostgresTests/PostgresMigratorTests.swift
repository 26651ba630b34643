import Logging
import NSCore
import NSPostgres
import NSTestSupport
import PostgresNIO
import Testing

/// Migrations at start: two nodes starting together on one database apply each migration once,
/// and a database migrated by a newer nsd is refused.
@Suite("PostgreSQL migrations")
struct PostgresMigratorTests {
    static let migrator = PostgresMigrator(schema: "racing", lockKey: 0x7465_7374_5F6D_6967, migrations: [
        PostgresMigration(version: "v1", statements: ["CREATE TABLE racing.applied (version text NOT NULL)", "INSERT INTO racing.applied VALUES ('v1')"]),
        PostgresMigration(version: "v2", statements: ["INSERT INTO racing.applied VALUES ('v2')"]),
    ])

    @Test("two migrators racing on one database apply each migration once", .timeLimit(.minutes(1)))
    func racingMigratorsApplyOnce() async throws {
        let server = try await PostgresServer.shared()
        let name = try server.freshDatabase()
        let nodes = try (0..<2).map { _ in try OpenDatabase(server.databaseURL(name)) }
        let applied = try await withThrowingTaskGroup(of: [String].self) { group in
            for node in nodes { group.addTask { try await Self.migrator.migrate(node.database) } }
            return try await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        #expect(applied.sorted { $0.count < $1.count } == [[], ["v1", "v2"]])
        #expect(try server.psql("SELECT string_agg(version, ',' ORDER BY version) FROM racing.applied", database: name) == "v1,v2")
        #expect(try server.psql("SELECT string_agg(version, ',' ORDER BY version) FROM racing.schema_migrations", database: name) == "v1,v2")
        #expect(try await Self.migrator.migrate(nodes[0].database) == [])
        for node in nodes { await node.stop() }
    }

    @Test("a version this nsd does not know (a newer nsd migrated the database) is refused, naming DATABASE_URL and the version")
    func unknownVersionRefused() async throws {
        let server = try await PostgresServer.shared()
        let name = try server.freshDatabase()
        let node = try OpenDatabase(server.databaseURL(name))
        try await Self.migrator.migrate(node.database)
        _ = try server.psql("INSERT INTO racing.schema_migrations (version) VALUES ('v9-from-the-future')", database: name)
        let error = await #expect(throws: ConfigurationError.self) { try await Self.migrator.migrate(node.database) }
        #expect(error?.variable == "DATABASE_URL")
        #expect(error?.problem.contains("v9-from-the-future") == true)
        await node.stop()
    }
}
