import GRDB

/// Reads an SQLite file without ever writing to it: safe on a live node's database (WAL readers
/// do not block its writer) and on a backup copy that must stay byte-identical.
enum ReadOnlyDatabase {
    /// Opens `path` read-only, runs `body` in one read transaction, and closes it.
    static func read<T>(_ path: String, _ body: (Database) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.readonly = true
        let database = try DatabaseQueue(path: path, configuration: configuration)
        // Read-only and already read: a failed close can lose nothing.
        defer { try? database.close() }
        return try database.read(body)
    }
}
