import NSCore

/// Where a transaction the ledger already holds sits.
public enum HeldPlace: Sendable, Equatable {
    case committed(leaf: Int64, height: Int64)
    case pending
}

/// The receipts a submit answers, and the transactions it must store, by ``SubmitRule``.
///
/// Both ledger engines decide the same way and differ only in how they find what they hold, so
/// each passes its lookup and stores exactly `fresh`, inside the same write transaction that ran
/// the lookup (otherwise a racing submit or append could change the answer).
public enum SubmitReceipts {
    /// ``SubmitRule/sameTransaction``: a transaction already committed is answered with its place;
    /// anything else is pending, and stored once however often the call repeats it.
    /// - Parameter committed: where a committed transaction with this hash sits, `nil` when none is.
    public static func bySameTransaction(_ txs: [LedgerTransaction], committed: (MerkleHash) throws -> (leaf: Int64, height: Int64)?) rethrows
        -> (receipts: [TxReceipt], fresh: [LedgerTransaction]) {
        var receipts: [TxReceipt] = []
        var fresh: [LedgerTransaction] = []
        var seen: Set<MerkleHash> = []
        for tx in txs {
            if let (leaf, height) = try committed(tx.hash) {
                receipts.append(TxReceipt(txHash: tx.hash.hex, status: .committed, blockHeight: height, leafIndex: leaf))
            } else {
                receipts.append(TxReceipt(txHash: tx.hash.hex, status: .pending))
                if seen.insert(tx.hash).inserted { fresh.append(tx) }
            }
        }
        return (receipts, fresh)
    }

    /// ``SubmitRule/onePerJob``: a transaction whose job the ledger (or an earlier transaction of
    /// the same call) already records is not stored; its receipt names the one held, with
    /// `duplicateJob` set when that is another transaction.
    /// - Parameter recorded: the transaction recording `tx`'s job: `tx` itself when held, else the
    ///   newest committed one, else the newest pending one; `nil` when none does.
    public static func byJob(_ txs: [LedgerTransaction], recorded: (LedgerTransaction) throws -> (hash: MerkleHash, place: HeldPlace)?) rethrows
        -> (receipts: [TxReceipt], fresh: [LedgerTransaction]) {
        var receipts: [TxReceipt] = []
        var fresh: [LedgerTransaction] = []
        var held: [String: (hash: MerkleHash, receipt: TxReceipt)] = [:]  // by job id, within this call
        for tx in txs {
            let found: (hash: MerkleHash, receipt: TxReceipt)
            if let earlier = held[tx.jobID] {
                found = earlier
            } else if let recorded = try recorded(tx) {
                found = switch recorded.place {
                case .committed(let leaf, let height):
                    (recorded.hash, TxReceipt(txHash: recorded.hash.hex, status: .committed, blockHeight: height, leafIndex: leaf))
                case .pending: (recorded.hash, TxReceipt(txHash: recorded.hash.hex, status: .pending))
                }
            } else {
                found = (tx.hash, TxReceipt(txHash: tx.hash.hex, status: .pending))
                fresh.append(tx)
            }
            held[tx.jobID] = found
            var receipt = found.receipt
            receipt.duplicateJob = found.hash != tx.hash
            receipts.append(receipt)
        }
        return (receipts, fresh)
    }
}
