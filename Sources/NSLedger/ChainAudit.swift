import Foundation
import GRDB
import NSCore

/// Verifies a ledger database file block by block (``ChainVerifier``), each producer against the
/// validator set recorded for its height (`validator_changes`), then checks that the stored tree
/// nodes, which proofs are built from, give the same log root.
public enum ChainAudit {
    public struct Summary: Sendable, Equatable {
        public let height: UInt64
        public let logSize: UInt64
        public let logRoot: MerkleHash

        public init(height: UInt64, logSize: UInt64, logRoot: MerkleHash) {
            self.height = height
            self.logSize = logSize
            self.logRoot = logRoot
        }
    }

    /// Opens `path` read-only and audits it.
    public static func audit(path: String) throws -> Result<Summary, ChainVerifier.Fault> {
        guard FileManager.default.fileExists(atPath: path) else { throw LedgerError.notFound("database \(path)") }
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        // Read-only and already read: a failed close can lose nothing.
        defer { try? queue.close() }
        return try audit(reader: queue)
    }

    public static func audit(reader: some DatabaseReader) throws -> Result<Summary, ChainVerifier.Fault> {
        try reader.read { db in
            // The set's changes are ns-node's records, not part of the blocks: replayed here by the
            // rules that accepted them, and trusted for which producer was entitled at each height.
            // A change those rules refuse is a fault at its height, after the blocks below it.
            let (schedule, inconsistency) = try ValidatorTables.replay(db)
            let logFault = inconsistency.map { ChainVerifier.Fault(height: $0.height, check: "validatorChanges", detail: $0.reason) }
            var verifier = ChainVerifier(schedule: schedule)
            let blocks = try Row.fetchCursor(db, sql: "SELECT * FROM blocks ORDER BY height")
            let txStatement = try db.makeStatement(sql: "SELECT hash, body, block_height FROM txs WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index")
            while let row = try blocks.next() {
                let header = BlockHeader(row: row)
                if let logFault, header.height >= logFault.height { return .failure(logFault) }
                // The block's leaves follow the log as verified so far; a row filed under another block is a fault.
                let start = Int64(verifier.logSize)
                let rows = try Row.fetchAll(txStatement, arguments: [start, start + (row["tx_count"] as Int64)])
                if let misplaced = rows.first(where: { ($0["block_height"] as Int64) != Int64(header.height) }) {
                    return .failure(ChainVerifier.Fault(height: header.height, check: "txs",
                                                        detail: "a transaction of this block is filed under block \(misplaced["block_height"] as Int64)"))
                }
                let txs = rows.map {
                    ChainVerifier.StoredTx(hash: MerkleHash(Array($0["hash"] as Data)), canonical: Array($0["body"] as Data))
                }
                do throws(ChainVerifier.Fault) {
                    try verifier.verify(header, storedHash: MerkleHash(Array(row["hash"] as Data)), txs: txs)
                } catch {
                    return .failure(error)
                }
            }
            if let logFault { return .failure(logFault) }  // a change above the tip
            guard let height = verifier.verifiedHeight else {
                return .failure(ChainVerifier.Fault(height: 0, check: "genesis", detail: "the database has no blocks"))
            }
            let stored = try MerkleTree.rootOfRange(0, verifier.logSize, source: StoredSubtrees(db: db))
            guard stored == verifier.logRoot else {
                return .failure(ChainVerifier.Fault(height: height, check: "treeNodes", detail: "the stored tree does not give the log root"))
            }
            return .success(Summary(height: height, logSize: verifier.logSize, logRoot: verifier.logRoot))
        }
    }
}
