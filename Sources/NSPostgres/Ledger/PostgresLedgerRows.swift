import NIOCore
import NSCore
import NSLedger
import PostgresNIO

/// How ledger rows are read from PostgreSQL, and what a block's row is bound from.
enum PostgresLedgerRows {
    static let blockColumns = "height, hash, prev_hash, time, tx_root, log_size, log_root, producer, signature, tx_count"
    static let txColumns = "hash, leaf_index, block_height, body"

    struct StoredBlock {
        let header: BlockHeader
        let hash: MerkleHash
        let txCount: Int64
    }

    static func block(_ row: PostgresRow) throws -> StoredBlock {
        let (height, hash, prevHash, time, txRoot, logSize, logRoot, producer, signature, txCount) =
            try row.decode((Int64, ByteBuffer, ByteBuffer, Int64, ByteBuffer, Int64, ByteBuffer, String, ByteBuffer, Int32).self)
        let header = BlockHeader(height: UInt64(height), prevHash: MerkleHash(buffer: prevHash), time: time, txRoot: MerkleHash(buffer: txRoot),
                                 logSize: UInt64(logSize), logRoot: MerkleHash(buffer: logRoot), producer: producer,
                                 signature: signature.byteArray)
        return StoredBlock(header: header, hash: MerkleHash(buffer: hash), txCount: Int64(txCount))
    }

    static func committed(_ row: PostgresRow) throws -> CommittedTx {
        let (hash, leaf, height, body) = try row.decode((ByteBuffer, Int64, Int64, ByteBuffer).self)
        return CommittedTx(hash: MerkleHash(buffer: hash), leafIndex: UInt64(leaf), blockHeight: UInt64(height), canonical: body.byteArray)
    }

    /// All rows of `sequence`, each read by `read`.
    static func all<T>(_ sequence: PostgresRowSequence, _ read: (PostgresRow) throws -> T) async throws -> [T] {
        var values: [T] = []
        for try await row in sequence { values.append(try read(row)) }
        return values
    }

    /// The header columns of `header`, bound in `blockColumns` order up to `signature`.
    static func insertBlock(_ header: BlockHeader, txCount: Int) -> PostgresQuery {
        """
        INSERT INTO ledger.blocks (height, hash, prev_hash, time, tx_root, log_size, log_root, producer, signature, tx_count)
        VALUES (\(Int64(header.height)), \(header.hash.buffer), \(header.prevHash.buffer), \(header.time), \(header.txRoot.buffer),
                \(Int64(header.logSize)), \(header.logRoot.buffer), \(header.producer), \(ByteBuffer(bytes: header.signature)), \(Int32(txCount)))
        """
    }
}
