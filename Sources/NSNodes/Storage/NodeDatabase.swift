import Foundation
import GRDB
import NSCore

/// A node's SQLite database: WAL mode (readers never block the writer), `synchronous=FULL`
/// (a commit that returned is on disk), a busy timeout, WAL checkpoints in the background
/// (``WALCheckpointer``) rather than inside a commit, and the node's schema migrations applied
/// before anything else touches it.
public final class NodeDatabase: Sendable {
    public let path: String
    public let pool: DatabasePool
    private let checkpointer: WALCheckpointer
    private let checkpointing: DatabaseQueue
    private let checkpoints: Task<Void, Never>

    /// Opens (creating, with its folder at mode 0700) the database at `path` and migrates it.
    ///
    /// `writerCacheMiB` sizes the writing connection's page cache; `nil` keeps SQLite's 2 MiB.
    /// The ledger asks for 64: its lookup tables take entries in random order, and re-reading
    /// their pages from the file took a third of an append. It is a ceiling, reached only as the
    /// database grows, and readers keep the default.
    ///
    /// Failures are ``ConfigurationError``s naming `variable`: a data folder that cannot be
    /// created or a file that is not a database is something the operator fixes in configuration.
    /// A background checkpoint that fails later goes to `internalErrors` (the owning node's).
    public convenience init(path: String, variable: String, migrator: DatabaseMigrator, writerCacheMiB: Int? = nil,
                            internalErrors: InternalErrors? = nil) throws(ConfigurationError) {
        try self.init(path: path, variable: variable, migrator: migrator, checkpointer: WALCheckpointer(internalErrors: internalErrors),
                      writerCacheMiB: writerCacheMiB)
    }

    /// `checkpointer` decides when the WAL is copied into the database file (tests use small thresholds).
    init(path: String, variable: String, migrator: DatabaseMigrator, checkpointer: WALCheckpointer,
         writerCacheMiB: Int? = nil) throws(ConfigurationError) {
        self.path = path
        self.checkpointer = checkpointer
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder.isEmpty ? "." : folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw ConfigurationError(variable: variable, problem: "names \(path), whose folder cannot be created", fix: "point it at a writable location")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Checkpoint the WAL every 8,192 pages (32 MiB) rather than SQLite's 1,000, so pages
            // rewritten by consecutive commits reach the main file once, and in the background
            // rather than inside the commit that crosses the threshold. Commits stay durable
            // because the WAL itself is fsynced at each commit.
            checkpointer.install(on: db)
            try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
            if let writerCacheMiB, !db.configuration.readonly {
                try db.execute(sql: "PRAGMA cache_size = \(-1024 * writerCacheMiB)")
            }
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try migrator.migrate(pool)
            var own = Configuration()
            own.busyMode = .timeout(10)
            checkpointing = try DatabaseQueue(path: path, configuration: own)
        } catch {
            throw ConfigurationError(variable: variable, problem: "names \(path), which cannot be opened as a NeuroSwarm database (\(Self.describe(error)))",
                                     fix: "check the path and its permissions, or restore it from a backup")
        }
        checkpoints = Task { [checkpointer, checkpointing, pool] in await checkpointer.run(checkpointing: checkpointing, pool: pool) }
    }

    /// A probe for `/health`: a read round trip through the pool.
    public func check() -> DependencyCheck {
        DependencyCheck(name: "store") { [pool] _ in try await Self.probe(pool) }
    }

    /// A read round trip through `pool`; throws the ``DependencyFailure`` `/health` shows.
    static func probe(_ pool: DatabasePool) async throws(DependencyFailure) {
        do {
            _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
        } catch {
            throw DependencyFailure("database read failed: \(describe(error))")
        }
    }

    /// Checkpoints the WAL and closes every connection; called once at shutdown.
    public func close() throws {
        checkpointer.stop()
        checkpoints.cancel()
        try checkpointing.close()
        try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        try pool.close()
    }

    static func describe(_ error: any Error) -> String {
        (error as? DatabaseError).map { "SQLite error \($0.resultCode.rawValue): \($0.message ?? "no message")" } ?? "\(type(of: error))"
    }
}

extension DatabaseMigrator {
    /// The first migration every node database has: a key/value table for node facts (schema
    /// owner, creation time) that later migrations and tools can read.
    public static func node(_ owner: String) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-node-meta") { db in
            try db.create(table: "node_meta") { table in
                table.primaryKey("key", .text)
                table.column("value", .text).notNull()
            }
            try db.execute(sql: "INSERT INTO node_meta (key, value) VALUES ('owner', ?), ('created_at', ?)",
                           arguments: [owner, LogTimestamp.now()])
        }
        return migrator
    }
}
