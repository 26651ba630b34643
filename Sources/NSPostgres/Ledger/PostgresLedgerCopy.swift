import Foundation
import Logging
import NIOCore
import NSCore
import NSLedger
import PostgresNIO

/// The ledger in the `ledger` schema as ``LedgerCopy`` rows: read out in one snapshot (how
/// `nsctl backup ns-node-data` copies it into an SQLite file), and written into a freshly
/// migrated schema that replaces the current one (how `nsctl restore` puts a backup, or an
/// SQLite ns-node's ledger, into PostgreSQL).
public enum PostgresLedgerCopy {
    /// Streams every copied table, in ``LedgerCopy/tables`` order, to `sink` in batches of
    /// ``TableCopy/batchSize`` rows, all from one REPEATABLE READ READ ONLY transaction: the
    /// batches describe the ledger at one instant however long the copy takes, and the next rows
    /// are read only as `sink` takes the batches before. Fails when the database holds no ledger.
    public static func export(_ database: PostgresDatabase,
                              to sink: @escaping @Sendable (TableCopy.Table, [TableCopy.Row]) async throws -> Void) async throws {
        let logger = database.queryLogger
        try await database.snapshot { connection in
            guard try await PostgresTableCopy.schemaExists("ledger", connection, logger: logger) else {
                throw LedgerError.storage("the database holds no ledger (no schema ledger); start an ns-node on it first, or restore one")
            }
            try await PostgresTableCopy.export(LedgerCopy.tables, of: "ledger", connection, logger: logger, to: sink)
        }
    }

    /// What ``replace(_:keepingAs:from:)`` did.
    public struct Replaced: Sendable {
        /// The schema the previous ledger now lives in, or `nil` when there was none.
        public let previousSchema: String?
    }

    /// In one transaction: renames the `ledger` schema to `keepingAs` (nothing is deleted),
    /// creates `ledger` again through ``PostgresLedgerSchema/migrator``, fills it from `source`
    /// (called once per table in ``LedgerCopy/tables`` order with an `insert` that writes one
    /// batch), and derives what PostgreSQL keeps beside the copied rows: `meta`, `head`,
    /// `mempool_stats`, the lookup keys and the identity sequences. Any failure rolls all of it
    /// back, leaving the ledger as it was. The database's deadline (``PostgresDatabase/Settings/timeout``)
    /// bounds the whole import: give the database a long one.
    public static func replace(_ database: PostgresDatabase, keepingAs previous: String,
                               from source: @escaping @Sendable (TableCopy.Table, _ insert: ([TableCopy.Row]) async throws -> Void) async throws -> Void)
        async throws -> Replaced {
        let previousSchema = try await PostgresTableCopy.replace(database, migrator: PostgresLedgerSchema.migrator, keepingAs: previous) { connection, logger in
            for table in LedgerCopy.tables {
                try await source(table) { rows in try await insert(rows, into: table, connection, logger: logger) }
            }
            try await derive(connection, logger: logger)
        }
        return Replaced(previousSchema: previousSchema)
    }

    /// Writes one batch; `txs` rows gain their lookup keys (``PostgresLookupKey``).
    private static func insert(_ rows: [TableCopy.Row], into table: TableCopy.Table, _ connection: PostgresConnection, logger: Logger) async throws {
        var columns = table.columns.map(\.name)
        var keyed = rows
        if table.name == "txs" {
            columns += ["artifact_key", "job_key"]
            keyed = try rows.map { row in row + (try lookupKeys(row, table)) }
        }
        try await PostgresTableCopy.insert(keyed, columns: columns, into: table, of: "ledger", connection, logger: logger)
    }

    /// `artifact_key` and `job_key` of a copied `txs` row (``PostgresLookupKey``).
    private static func lookupKeys(_ row: TableCopy.Row, _ table: TableCopy.Table) throws -> [TableCopy.Value] {
        let leaf = table.value("leaf_index", in: row)?.integer ?? -1
        guard let artifact = table.value("artifact", in: row)?.blob, let artifactKey = LedgerCopy.lookupKey(artifact) else {
            throw LedgerError.storage("the transaction at leaf \(leaf) has no 32-byte artifact digest")
        }
        guard let body = table.value("body", in: row)?.blob, let jobKey = LedgerCopy.jobKey(body: body) else {
            throw LedgerError.storage("the transaction at leaf \(leaf) records no job id")
        }
        return [.integer(artifactKey), .integer(jobKey)]
    }

    /// `meta` (origin and checkpoint key from the newest checkpoint, genesis hash), `head` (the
    /// tip and the newest validator change), `mempool_stats` and the identity sequences.
    private static func derive(_ connection: PostgresConnection, logger: Logger) async throws {
        var newestNote: String?
        for try await note in try await connection.query("SELECT note FROM ledger.checkpoints ORDER BY log_size DESC LIMIT 1",
                                                          logger: logger).decode(String.self) {
            newestNote = note
        }
        guard let newestNote, let signer = CheckpointSigner(note: newestNote) else {
            throw LedgerError.storage("the copied ledger holds no signed checkpoint to learn its origin and key from")
        }
        try await connection.query("""
            INSERT INTO ledger.meta (id, origin, checkpoint_key_id, genesis_hash)
            SELECT 1, \(signer.origin), \(signer.keyID), hash FROM ledger.blocks WHERE height = 0
            """, logger: logger)
        try await connection.query("""
            INSERT INTO ledger.head (id, height, hash, validators_seq)
            SELECT 1, height, hash, (SELECT COALESCE(MAX(seq), 0) FROM ledger.validator_changes) FROM ledger.blocks ORDER BY height DESC LIMIT 1
            """, logger: logger)
        try await connection.query("INSERT INTO ledger.mempool_stats (id, count) SELECT 1, COUNT(*) FROM ledger.mempool", logger: logger)
        for table in LedgerCopy.tables where table.generatedSeq {
            try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT setval(pg_get_serial_sequence('ledger.\(table.name)', 'seq'), COALESCE(MAX(seq), 0) + 1, false) FROM ledger.\(table.name)
                """), logger: logger)
        }
        var counts: (meta: Int64, head: Int64) = (0, 0)
        for try await (meta, head) in try await connection.query("SELECT (SELECT COUNT(*) FROM ledger.meta), (SELECT COUNT(*) FROM ledger.head)",
                                                                 logger: logger).decode((Int64, Int64).self) {
            counts = (meta, head)
        }
        guard counts == (1, 1) else { throw LedgerError.storage("the copied ledger has no genesis block") }
    }
}

/// Who signed a checkpoint note, as `ledger.meta` records it: the origin (the note's first line)
/// and the hex key id (the first 4 bytes of the first signature).
struct CheckpointSigner {
    let origin: String
    let keyID: String

    init?(note: String) {
        let lines = note.split(separator: "\n", omittingEmptySubsequences: false)
        guard let origin = lines.first, !origin.isEmpty, let signature = lines.first(where: { $0.hasPrefix("— ") }),
              let encoded = signature.split(separator: " ").last, let blob = Base64.decode(String(encoded)), blob.count > 4
        else { return nil }
        self.origin = String(origin)
        keyID = Hex.encode(Array(blob.prefix(4)))
    }
}
