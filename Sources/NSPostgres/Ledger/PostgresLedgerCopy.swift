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
    /// ``LedgerCopy/batchSize`` rows, all from one REPEATABLE READ READ ONLY transaction: the
    /// batches describe the ledger at one instant however long the copy takes, and the next rows
    /// are read only as `sink` takes the batches before. Fails when the database holds no ledger.
    public static func export(_ database: PostgresDatabase,
                              to sink: @escaping @Sendable (LedgerCopy.Table, [LedgerCopy.Row]) async throws -> Void) async throws {
        let logger = database.queryLogger
        try await database.snapshot { connection in
            guard try await ledgerExists(connection, logger: logger) else {
                throw LedgerError.storage("the database holds no ledger (no schema ledger); start an ns-node on it first, or restore one")
            }
            for table in LedgerCopy.tables {
                let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                    SELECT \(table.columnList) FROM ledger.\(table.name) ORDER BY \(table.orderBy)
                    """), logger: logger)
                var batch: [LedgerCopy.Row] = []
                batch.reserveCapacity(LedgerCopy.batchSize)
                for try await row in rows {
                    batch.append(try zip(row, table.columns).map { cell, column in try value(cell, column.type) })
                    if batch.count == LedgerCopy.batchSize {
                        try await sink(table, batch)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                if !batch.isEmpty { try await sink(table, batch) }
            }
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
                               from source: @escaping @Sendable (LedgerCopy.Table, _ insert: ([LedgerCopy.Row]) async throws -> Void) async throws -> Void)
        async throws -> Replaced {
        precondition(previous.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }, "\(previous) is not a plain identifier")
        let logger = database.queryLogger
        return try await database.write { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresLedgerSchema.migrationLock))", logger: logger)
            let existed = try await ledgerExists(connection, logger: logger)
            if existed {
                try await connection.query("ALTER SCHEMA ledger RENAME TO \(unescaped: previous)", logger: logger)
            }
            _ = try await PostgresLedgerSchema.migrator.apply(on: connection, logger: logger)
            for table in LedgerCopy.tables {
                try await source(table) { rows in try await insert(rows, into: table, connection, logger: logger) }
            }
            try await derive(connection, logger: logger)
            return Replaced(previousSchema: existed ? previous : nil)
        }
    }

    private static func ledgerExists(_ connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'ledger')", logger: logger)
        for try await exists in rows.decode(Bool.self) { return exists }
        return false
    }

    private static func value(_ cell: PostgresCell, _ type: LedgerCopy.ColumnType) throws -> LedgerCopy.Value {
        switch type {
        case .integer: .integer(try cell.decode(Int64.self))
        case .optionalInteger: try cell.decode(Int64?.self).map(LedgerCopy.Value.integer) ?? .null
        case .text: .text(try cell.decode(String.self))
        case .blob: .blob(try cell.decode(ByteBuffer.self).byteArray)
        }
    }

    /// One multi-row INSERT of `rows`; `txs` rows gain their lookup keys, and tables whose `seq`
    /// PostgreSQL generates keep the copied values.
    private static func insert(_ rows: [LedgerCopy.Row], into table: LedgerCopy.Table, _ connection: PostgresConnection, logger: Logger) async throws {
        guard !rows.isEmpty else { return }
        let isTxs = table.name == "txs"
        var columns = table.columns.map(\.name)
        if isTxs { columns += ["artifact_key", "job_key"] }
        var bindings = PostgresBindings(capacity: rows.count * columns.count)
        var tuples: [String] = []
        tuples.reserveCapacity(rows.count)
        for row in rows {
            var values = row
            if isTxs { values += try lookupKeys(row, table) }
            let first = bindings.count
            tuples.append("(" + (1...values.count).map { "$\(first + $0)" }.joined(separator: ", ") + ")")
            for value in values {
                switch value {
                case .integer(let integer): bindings.append(integer)
                case .text(let text): bindings.append(text)
                case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
                case .null: bindings.appendNull()
                }
            }
        }
        let overriding = table.generatedSeq ? " OVERRIDING SYSTEM VALUE" : ""
        try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO ledger.\(table.name) (\(columns.joined(separator: ", ")))\(overriding) VALUES \(tuples.joined(separator: ", "))
            """, binds: bindings), logger: logger)
    }

    /// `artifact_key` and `job_key` of a copied `txs` row (``PostgresLookupKey``).
    private static func lookupKeys(_ row: LedgerCopy.Row, _ table: LedgerCopy.Table) throws -> [LedgerCopy.Value] {
        func column(_ name: String) -> LedgerCopy.Value? {
            table.columns.firstIndex { $0.name == name }.map { row[$0] }
        }
        let leaf = column("leaf_index")?.integer ?? -1
        guard let artifact = column("artifact")?.blob, let artifactKey = LedgerCopy.lookupKey(artifact) else {
            throw LedgerError.storage("the transaction at leaf \(leaf) has no 32-byte artifact digest")
        }
        guard let body = column("body")?.blob, let jobKey = LedgerCopy.jobKey(body: body) else {
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
