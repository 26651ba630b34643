import Foundation
import NSCore
import Testing

/// `DATABASE_URL` and `DATABASE_URL_FILE` are read like the other secrets, and a URL that does
/// not parse stops nsd naming the variable it came from, never quoting the password.
@Suite("DaemonSettings: DATABASE_URL, DATABASE_URL_FILE and DATABASE_TIMEOUT_MS")
struct DatabaseSettingsTests {
    static let url = "postgres://nsd:s3cret-pw@db1:5432,db2:5433/ledger?sslmode=disable"

    static func load(_ environment: [String: String], roles: Set<NodeRole> = [.ns]) throws(ConfigurationError) -> DaemonSettings {
        try DaemonSettings.load(roles: roles, dataDirectory: "/nonexistent", source: ConfigurationSource(environment: environment))
    }

    @Test("unset: no database, the SQLite ledger as before")
    func unset() throws {
        #expect(try Self.load([:]).database == nil)
    }

    @Test("DATABASE_URL: the hosts, user and database, the password kept as a secret, the default timeout")
    func direct() throws {
        let settings = try Self.load(["DATABASE_URL": Self.url])
        let database = try #require(settings.database)
        #expect(database.hosts == [.init(name: "db1", port: 5432), .init(name: "db2", port: 5433)])
        #expect(database.user == "nsd" && database.database == "ledger")
        #expect(database.password?.reveal() == "s3cret-pw")
        #expect(settings.databaseTimeout == .milliseconds(5_000))
        #expect(try Self.load(["DATABASE_URL": Self.url, "DATABASE_TIMEOUT_MS": "1500"]).databaseTimeout == .milliseconds(1_500))
    }

    @Test("DATABASE_URL_FILE: read from the file, one trailing newline dropped")
    func file() throws {
        let path = NSTemporaryDirectory() + "database-url-\(UUID().uuidString)"
        try Data((Self.url + "\n").utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }  // a temporary file; a leftover does no harm
        #expect(try Self.load(["DATABASE_URL_FILE": path]).database?.password?.reveal() == "s3cret-pw")
    }

    @Test("refusals: one line naming the variable set, without the password")
    func refusals() throws {
        let malformed = #expect(throws: ConfigurationError.self) { try Self.load(["DATABASE_URL": "mysql://nsd:s3cret-pw@db/ledger"]) }
        #expect(malformed?.variable == "DATABASE_URL")
        #expect(malformed?.description.hasPrefix("configuration error: DATABASE_URL must start with postgres:// or postgresql://;") == true)
        #expect(malformed?.description.contains("s3cret-pw") == false)

        let path = NSTemporaryDirectory() + "database-url-\(UUID().uuidString)"
        try Data("postgres://nsd:s3cret-pw@db:99999/ledger".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }  // a temporary file; a leftover does no harm
        let fromFile = #expect(throws: ConfigurationError.self) { try Self.load(["DATABASE_URL_FILE": path]) }
        #expect(fromFile?.variable == "DATABASE_URL_FILE")
        #expect(fromFile?.problem == "gives host db the port \"99999\", which is not a number from 1 to 65535")

        let both = #expect(throws: ConfigurationError.self) { try Self.load(["DATABASE_URL": Self.url, "DATABASE_URL_FILE": path]) }
        #expect(both?.variable == "DATABASE_URL" && both?.problem.hasPrefix("and DATABASE_URL_FILE are both set") == true)

        let timeout = #expect(throws: ConfigurationError.self) { try Self.load(["DATABASE_URL": Self.url, "DATABASE_TIMEOUT_MS": "5"]) }
        #expect(timeout?.variable == "DATABASE_TIMEOUT_MS")
    }

    @Test("read only for ns-node and admin-node: a gateway sharing the .env is not refused for it")
    func rolesThatUseIt() throws {
        #expect(try Self.load(["DATABASE_URL": "not a url"], roles: [.gateway, .vp]).database == nil)
        #expect(throws: ConfigurationError.self) { try Self.load(["DATABASE_URL": "not a url"], roles: [.admin]) }
    }
}
