import Logging
import NIOCore
import NSCore
import NSLedger
import PostgresNIO

/// The tip as the database held it when read: the head row, its block, the log's right edge and
/// the validator schedule up to the head's `validators_seq`. A store keeps the last one read as
/// a hint for validating outside the transaction, and trusts it only while the locked head row
/// still names the same block and validator change.
struct PostgresLedgerTip: Sendable {
    let header: BlockHeader
    let hash: MerkleHash
    let frontier: CompactRange
    let validatorsSeq: Int64
    let schedule: ValidatorSchedule

    /// Whether the head row (read under its lock) is the tip this hint describes.
    func matches(height: Int64, hash: ByteBuffer, validatorsSeq: Int64) -> Bool {
        Int64(header.height) == height && self.hash == MerkleHash(buffer: hash) && self.validatorsSeq == validatorsSeq
    }

    /// Reads the tip; run it inside a snapshot (or the transaction holding the head row) so the
    /// parts agree.
    static func load(_ connection: PostgresConnection, logger: Logger) async throws -> PostgresLedgerTip {
        let rows = try await connection.query("""
            SELECT b.height, b.hash, b.prev_hash, b.time, b.tx_root, b.log_size, b.log_root, b.producer, b.signature, b.tx_count, h.validators_seq
            FROM ledger.head h JOIN ledger.blocks b ON b.height = h.height WHERE h.id = 1
            """, logger: logger)
        var found: (PostgresLedgerRows.StoredBlock, Int64)?
        for try await row in rows {
            found = (try PostgresLedgerRows.block(row), try row.decode((Int64, ByteBuffer, ByteBuffer, Int64, ByteBuffer, Int64, ByteBuffer, String,
                                                                       ByteBuffer, Int32, Int64).self).10)
        }
        guard let (block, validatorsSeq) = found else { throw LedgerError.storage("ledger.head has no row: the schema was not set up") }
        let frontier = try await PostgresTreeNodes.compute(connection, logger: logger) { source in
            try CompactRange(size: block.header.logSize, source: source)
        }
        let schedule = try await PostgresValidatorLog.schedule(upTo: validatorsSeq, connection, logger: logger)
        return PostgresLedgerTip(header: block.header, hash: block.hash, frontier: frontier, validatorsSeq: validatorsSeq, schedule: schedule)
    }
}
