import ArgumentParser
import Foundation
import GRDB
import NSCore
import NSPostgres
import NSSQLite

extension NSCtl {
    /// `nsctl audit ...`: admin-node's tamper-evident audit trail.
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check and read admin-node's audit trail.",
            subcommands: [Verify.self, Tail.self])
    }
}

/// Where the audit trail is read from: admin-node's database file (safe while nsd runs: it
/// only reads).
struct AuditSource: ParsableArguments {
    @Option(help: ArgumentHelp("admin-node's database. Default: DATA_DIR/admin-node-data/admin.db (DATA_DIR defaults to ./data).", valueName: "path"))
    var db: String?

    @Option(name: .customLong("database-url"),
            help: ArgumentHelp("""
                Read the trail from admin-node's PostgreSQL database instead of a file (also DATABASE_URL or DATABASE_URL_FILE, \
                used when --db is not given). Prefer DATABASE_URL_FILE: a command line is visible to other users of the host.
                """, valueName: "url"))
    var databaseURL: String?

    func validate() throws {
        if db != nil && databaseURL != nil { throw ValidationError("--db and --database-url name two sources: pass one") }
    }

    /// `--db`, else the default under `DATA_DIR` as read with `envFile`.
    func path(envFile: String?) throws -> String {
        if let db { return db }
        let dataDirectory = try Settings.source(envFile: envFile).string("DATA_DIR") ?? DataLayout.defaultDirectory
        return DataLayout(dataDirectory: dataDirectory).adminDatabase
    }

    /// Every entry in sequence order: from PostgreSQL with `--database-url` (or `DATABASE_URL`
    /// set and no `--db`), else from the admin.db file.
    func entries(envFile: String?) async throws -> [AuditEntry] {
        if db == nil,
           let database = try ConfiguredDatabase.configured(source: try Settings.source(envFile: envFile, flags: databaseURL.map { ["DATABASE_URL": $0] } ?? [:])) {
            return try await database.read(as: "audit", what: "admin-node's audit trail") { database in
                try await PostgresAdminStore(database: database).all()
            }
        }
        let path = try path(envFile: envFile)
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure("\(path) does not exist; pass --db with admin-node's admin.db, --database-url, or set DATA_DIR")
        }
        do {
            return try ReadOnlyDatabase.read(path) { db in try AuditEntry.fetchAllInOrder(db) }
        } catch {
            throw CommandFailure("\(path) cannot be read as admin-node's database (\(error))")
        }
    }
}

extension NSCtl.Audit {
    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the most recent audit entries, oldest first.")

        @Option(name: [.customShort("n"), .long], help: ArgumentHelp("How many entries.", valueName: "n"))
        var lines: Int = 20

        @Flag(help: "Print one JSON object per line.")
        var json = false

        @OptionGroup var source: AuditSource

        @Option(help: ArgumentHelp("dotenv file read after the environment (default ./.env if present).", valueName: "path"))
        var envFile: String?

        func validate() throws {
            guard lines >= 1 else { throw ValidationError("--lines must be at least 1") }
        }

        func run() async throws {
            try await reportingFailures {
                for entry in try await source.entries(envFile: envFile).suffix(lines) {
                    if json {
                        print(String(decoding: CanonicalJSON.encode(entry.json), as: UTF8.self))
                    } else {
                        print("\(LogTimestamp.format(unixMs: entry.time))  #\(entry.sequence)  \(entry.actor) (\(entry.role)) from \(entry.source)  "
                              + "\(entry.action) \(entry.target)  \(entry.outcome)")
                    }
                }
            }
        }
    }
}
