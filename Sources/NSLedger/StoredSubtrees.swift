import Foundation
import GRDB
import NSCore

/// Complete subtree hashes read from the ledger database: leaves from `txs.leaf_hash`, higher
/// levels from `tree_nodes`. Each lookup is one primary-key read.
struct StoredSubtrees: SubtreeHashSource {
    let db: Database

    func subtreeHash(level: Int, index: UInt64) throws -> MerkleHash {
        let data: Data?
        if level == 0 {
            data = try Data.fetchOne(db.cachedStatement(sql: "SELECT leaf_hash FROM txs WHERE leaf_index = ?"), arguments: [Int64(index)])
        } else {
            data = try Data.fetchOne(db.cachedStatement(sql: "SELECT hash FROM tree_nodes WHERE level = ? AND idx = ?"),
                                     arguments: [level, Int64(index)])
        }
        guard let data, data.count == 32 else { throw LedgerError.storage("tree node (\(level), \(index)) is missing") }
        return MerkleHash(Array(data))
    }
}

extension BlockHeader {
    /// Reads a header from a `blocks` row.
    init(row: Row) {
        self.init(height: UInt64(row["height"] as Int64), prevHash: MerkleHash(Array(row["prev_hash"] as Data)), time: row["time"],
                  txRoot: MerkleHash(Array(row["tx_root"] as Data)), logSize: UInt64(row["log_size"] as Int64),
                  logRoot: MerkleHash(Array(row["log_root"] as Data)), producer: row["producer"],
                  signature: Array(row["signature"] as Data))
    }
}
