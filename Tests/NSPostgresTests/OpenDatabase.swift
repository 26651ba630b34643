import Logging
import NSCore
import NSPostgres
import NSTestSupport

/// A ``PostgresDatabase`` with its pools running, for one test; `stop()` ends them.
struct OpenDatabase: Sendable {
    let database: NSPostgres.PostgresDatabase
    private let running: Task<Void, Never>

    init(_ url: String, timeout: Duration = .seconds(5), logger: Logger = Logger(label: "test.postgres")) throws {
        database = try NSPostgres.PostgresDatabase(url: try DatabaseURL(parsing: url), settings: .init(timeout: timeout, applicationName: "nsd test"),
                                        logger: logger)
        running = Task { [database] in await database.run() }
    }

    func stop() async {
        running.cancel()
        await running.value
    }
}

extension PostgresServer {
    /// This cluster's URL for `database` over plain TCP, listing `others` after it.
    func databaseURL(_ database: String = "postgres", hosts: [PostgresServer] = [], query: String = "sslmode=disable") -> String {
        let list = ([self] + hosts).map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
        return "postgres://\(user):\(password)@\(list)/\(database)?\(query)"
    }

    /// A fresh database on this cluster, named for one test.
    func freshDatabase() throws -> String {
        let name = "t_" + UInt64.random(in: 0...UInt64.max).description
        try createDatabase(name)
        return name
    }
}
