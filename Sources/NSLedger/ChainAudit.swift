import Foundation
import NSCore

/// Verifies a stored ledger block by block (``ChainVerifier``), each producer against the
/// validator set recorded for its height (the validator log), then checks that the stored tree
/// nodes, which proofs are built from, give the same log root. The rules are the same whichever
/// database holds the ledger; a ``ChainAuditSource`` reads it.
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

    /// Opens the SQLite ledger at `path` read-only and audits it in one snapshot.
    public static func audit(path: String) async throws -> Result<Summary, ChainVerifier.Fault> {
        try await SQLiteChainSource.withSnapshot(path: path) { source in try await audit(source) }
    }

    /// Audits what `source` holds. Throws only when the source cannot be read; what it holds
    /// wrong is the failure of the result.
    public static func audit(_ source: some ChainAuditSource) async throws -> Result<Summary, ChainVerifier.Fault> {
        // The set's changes are ns-node's records, not part of the blocks: replayed here by the
        // rules that accepted them, and trusted for which producer was entitled at each height.
        // A change those rules refuse is a fault at its height, after the blocks below it.
        let log = try await source.validatorLog()
        let (schedule, inconsistency) = ValidatorLog.replay(genesis: log.genesis, changes: log.changes)
        let logFault = inconsistency.map { ChainVerifier.Fault(height: $0.height, check: "validatorChanges", detail: $0.reason) }
        var verifier = ChainVerifier(schedule: schedule)
        var fault: ChainVerifier.Fault?
        try await source.forEachBlock { header, storedHash, txs, filedUnder in
            if let logFault, header.height >= logFault.height {
                fault = logFault
                return false
            }
            // The block's leaves follow the log as stored so far; a row filed under another block is a fault.
            if let misplaced = filedUnder.first(where: { $0 != header.height }) {
                fault = ChainVerifier.Fault(height: header.height, check: "txs", detail: "a transaction of this block is filed under block \(misplaced)")
                return false
            }
            do throws(ChainVerifier.Fault) {
                try verifier.verify(header, storedHash: storedHash, txs: txs)
            } catch {
                fault = error
                return false
            }
            return true
        }
        if let fault { return .failure(fault) }
        if let logFault { return .failure(logFault) }  // a change above the tip
        guard let height = verifier.verifiedHeight else {
            return .failure(ChainVerifier.Fault(height: 0, check: "genesis", detail: "the database has no blocks"))
        }
        guard try await source.storedRoot(size: verifier.logSize) == verifier.logRoot else {
            return .failure(ChainVerifier.Fault(height: height, check: "treeNodes", detail: "the stored tree does not give the log root"))
        }
        return .success(Summary(height: height, logSize: verifier.logSize, logRoot: verifier.logRoot))
    }
}
