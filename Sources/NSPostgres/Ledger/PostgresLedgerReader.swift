import Logging
import NIOCore
import NSCore
import NSLedger
import PostgresNIO

/// The ledger's reads from PostgreSQL, with the SQLite reader's answers. Reads that combine
/// several statements run in one REPEATABLE READ snapshot; proofs need none, since tree nodes
/// never change and are committed with the block whose log size admits them.
public struct PostgresLedgerReader: LedgerReader {
    let database: PostgresDatabase

    public init(database: PostgresDatabase) {
        self.database = database
    }

    var logger: Logger { database.queryLogger }

    public func head() async throws -> LedgerHead {
        let logger = logger
        return try await database.snapshot { connection in
            let tip = try await PostgresLedgerTip.load(connection, logger: logger)
            return LedgerHead(header: tip.header, hash: tip.hash, frontier: tip.frontier, pendingCount: try await Self.pendingCount(connection, logger: logger))
        }
    }

    static func pendingCount(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        var count = 0
        for try await value in try await connection.query("SELECT count FROM ledger.mempool_stats WHERE id = 1", logger: logger).decode(Int64.self) {
            count = Int(value)
        }
        return count
    }

    public func latestBlock() async throws -> LedgerBlock {
        guard let block = try await block(where: "height = (SELECT height FROM ledger.head WHERE id = 1)") else {
            throw LedgerError.storage("the ledger has no blocks: the schema was not set up")
        }
        return block
    }

    public func block(height: UInt64) async throws -> LedgerBlock? {
        try await block(where: "height = \(Int64(height))")
    }

    /// The block matching `condition` (literal SQL built from integers only) and its tx hashes.
    private func block(where condition: String) async throws -> LedgerBlock? {
        let logger = logger
        return try await database.snapshot { connection in
            let rows = try await connection.query("SELECT \(unescaped: PostgresLedgerRows.blockColumns) FROM ledger.blocks WHERE \(unescaped: condition)",
                                                  logger: logger)
            guard let stored = try await PostgresLedgerRows.all(rows, PostgresLedgerRows.block).first else { return nil }
            let end = Int64(stored.header.logSize)
            let hashes = try await connection.query("""
                SELECT hash FROM ledger.txs WHERE leaf_index >= \(end - stored.txCount) AND leaf_index < \(end) ORDER BY leaf_index
                """, logger: logger)
            var txHashes: [MerkleHash] = []
            for try await hash in hashes.decode(ByteBuffer.self) { txHashes.append(MerkleHash(buffer: hash)) }
            return LedgerBlock(header: stored.header, hash: stored.hash, txHashes: txHashes)
        }
    }

    public func transactions(inBlock height: UInt64) async throws -> [CommittedTx] {
        try await committed("""
            SELECT t.hash, t.leaf_index, t.block_height, t.body FROM ledger.blocks b
            JOIN ledger.txs t ON t.leaf_index >= b.log_size - b.tx_count AND t.leaf_index < b.log_size
            WHERE b.height = \(Int64(height)) ORDER BY t.leaf_index
            """)
    }

    public func transaction(hash: MerkleHash) async throws -> CommittedTx? {
        try await committed("SELECT \(unescaped: PostgresLedgerRows.txColumns) FROM ledger.txs WHERE hash = \(hash.buffer)").first
    }

    /// The transactions anchoring an artifact, oldest first.
    public func transactions(artifactSHA256: String) async throws -> [CommittedTx] {
        guard let digest = MerkleHash(hex: artifactSHA256) else { return [] }
        return try await committed("""
            SELECT \(unescaped: PostgresLedgerRows.txColumns) FROM ledger.txs
            WHERE artifact_key = \(digest.lookupKey) AND artifact = \(digest.buffer) ORDER BY leaf_index
            """)
    }

    private func committed(_ query: PostgresQuery) async throws -> [CommittedTx] {
        let logger = logger
        return try await database.read { connection in
            try await PostgresLedgerRows.all(try await connection.query(query, logger: logger), PostgresLedgerRows.committed)
        }
    }

    public func transaction(jobID: String) async throws -> JobTransaction? {
        try await jobTransaction(jobID, pendingFirst: false)
    }

    public func newestTransaction(jobID: String) async throws -> JobTransaction? {
        try await jobTransaction(jobID, pendingFirst: true)
    }

    /// The newest committed and the newest pending transaction recording `jobID`, from one
    /// snapshot, each confirmed against the full job id; `pendingFirst` says which wins.
    private func jobTransaction(_ jobID: String, pendingFirst: Bool) async throws -> JobTransaction? {
        let (key, logger) = (LedgerJobKey.of(jobID), logger)
        return try await database.snapshot { connection in
            var committed: CommittedTx?
            let rows = try await connection.query("""
                SELECT \(unescaped: PostgresLedgerRows.txColumns) FROM ledger.txs WHERE job_key = \(key) ORDER BY leaf_index DESC
                """, logger: logger)
            for try await row in rows where committed == nil {
                let tx = try PostgresLedgerRows.committed(row)
                if LedgerJobKey.jobID(inBody: tx.canonical) == jobID { committed = tx }
            }
            var pending: (hash: MerkleHash, canonical: [UInt8])?
            let waiting = try await connection.query("SELECT hash, body FROM ledger.mempool WHERE job_key = \(key) ORDER BY seq DESC", logger: logger)
            for try await (hash, body) in waiting.decode((ByteBuffer, ByteBuffer).self) where pending == nil {
                if LedgerJobKey.jobID(inBody: body.byteArray) == jobID { pending = (MerkleHash(buffer: hash), body.byteArray) }
            }
            let waitingTx = pending.map { JobTransaction.pending(hash: $0.hash, canonical: $0.canonical) }
            let committedTx = committed.map { JobTransaction.committed($0) }
            return pendingFirst ? waitingTx ?? committedTx : committedTx ?? waitingTx
        }
    }

    /// Pending transactions in arrival order, with the mempool's size.
    public func mempool(limit: Int) async throws -> (total: Int, txs: [(hash: MerkleHash, canonical: [UInt8])]) {
        let logger = logger
        return try await database.snapshot { connection in
            let total = try await Self.pendingCount(connection, logger: logger)
            let rows = try await connection.query("SELECT hash, body FROM ledger.mempool ORDER BY seq LIMIT \(Int64(max(0, limit)))", logger: logger)
            var txs: [(hash: MerkleHash, canonical: [UInt8])] = []
            for try await (hash, body) in rows.decode((ByteBuffer, ByteBuffer).self) { txs.append((MerkleHash(buffer: hash), body.byteArray)) }
            return (total, txs)
        }
    }

    public func logSize() async throws -> UInt64 {
        let logger = logger
        return try await database.read { connection in try await Self.logSize(connection, logger: logger) }
    }

    static func logSize(_ connection: PostgresConnection, logger: Logger) async throws -> UInt64 {
        var size: UInt64 = 0
        let rows = try await connection.query("""
            SELECT b.log_size FROM ledger.head h JOIN ledger.blocks b ON b.height = h.height WHERE h.id = 1
            """, logger: logger)
        for try await value in rows.decode(Int64.self) { size = UInt64(value) }
        return size
    }

    public func latestCheckpoint() async throws -> String {
        let logger = logger
        return try await database.read { connection in
            var note = ""
            let rows = try await connection.query("SELECT note FROM ledger.checkpoints ORDER BY log_size DESC LIMIT 1", logger: logger)
            for try await value in rows.decode(String.self) { note = value }
            return note
        }
    }

    /// Audit path for `leaf` in the tree of `size` leaves, with that tree's root: the log size,
    /// then every node both need in one query.
    public func inclusionProof(leaf: UInt64, size: UInt64) async throws -> (proof: [MerkleHash], root: MerkleHash) {
        let logger = logger
        return try await database.read { connection in
            let current = try await Self.logSize(connection, logger: logger)
            guard size <= current else { throw LedgerError.outOfRange("tree size \(size) is beyond the log size \(current)") }
            guard leaf < size else { throw LedgerError.outOfRange("leaf \(leaf) is not in a tree of \(size) leaves") }
            return try await PostgresTreeNodes.compute(connection, logger: logger) { source in
                (try MerkleTree.inclusionProof(index: leaf, size: size, source: source), try MerkleTree.rootOfRange(0, size, source: source))
            }
        }
    }

    /// Consistency proof between the trees of `from` and `to` leaves, with both roots.
    public func consistencyProof(from: UInt64, to: UInt64) async throws -> (proof: [MerkleHash], fromRoot: MerkleHash, toRoot: MerkleHash) {
        let logger = logger
        return try await database.read { connection in
            let current = try await Self.logSize(connection, logger: logger)
            guard from <= to else { throw LedgerError.outOfRange("from \(from) is larger than to \(to)") }
            guard to <= current else { throw LedgerError.outOfRange("tree size \(to) is beyond the log size \(current)") }
            return try await PostgresTreeNodes.compute(connection, logger: logger) { source in
                (try MerkleTree.consistencyProof(old: from, new: to, source: source), try MerkleTree.rootOfRange(0, from, source: source),
                 try MerkleTree.rootOfRange(0, to, source: source))
            }
        }
    }

    /// Every validator ever in the set, ordered by id.
    public func validators() async throws -> [ValidatorRecord] {
        let logger = logger
        return try await database.read { connection in
            let rows = try await connection.query("SELECT name, public_key, added_height, removed_height FROM ledger.validators ORDER BY id",
                                                  logger: logger)
            var records: [ValidatorRecord] = []
            for try await (name, key, added, removed) in rows.decode((String, ByteBuffer, Int64, Int64?).self) {
                records.append(ValidatorRecord(validator: Validator(name: name, publicKey: LedgerPublicKey(raw: key.byteArray)),
                                               addedHeight: added, removedHeight: removed))
            }
            return records
        }
    }

    /// The latest `limit` recorded changes, newest first.
    public func validatorChanges(limit: Int) async throws -> [ValidatorChange] {
        let logger = logger
        return try await database.read { connection in
            try await PostgresValidatorLog.changes(connection, logger: logger, newestFirst: true, limit: max(0, limit)).map(\.change)
        }
    }
}
