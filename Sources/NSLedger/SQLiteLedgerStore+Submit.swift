import Foundation
import GRDB
import NSCore
import NSSQLite

extension SQLiteLedgerStore {
    /// Accepts transactions into the durable mempool, all or none. A transaction already pending
    /// or committed is acknowledged again and stored once; under ``SubmitRule/onePerJob`` so is any
    /// other transaction for a job the ledger records. The check runs inside this actor's write
    /// transaction, so two vp-nodes racing on one recovered job cannot both be stored: whichever
    /// comes second is answered with the first.
    public func submit(_ txs: [LedgerTransaction], rule: SubmitRule) throws(LedgerError) -> SubmitOutcome {
        let time = now()
        let before = current.value
        let held = before.pendingCount
        let limit = settings.mempoolMax
        do {
            let (receipts, added) = try pool.write { db -> ([TxReceipt], Int) in
                let (receipts, fresh) = switch rule {
                case .sameTransaction: try Self.receiptsBySameTransaction(txs, LookupTables.Committed(pending: lookups, db))
                case .onePerJob: try Self.receiptsByJob(txs, JobLookups.Recorded(pending: lookups, db))
                }
                var added = 0
                let insert = try BoundStatement(db, sql: "INSERT OR IGNORE INTO mempool (hash, body, received_at, job_key) VALUES (?, ?, ?, ?)")
                for tx in fresh {
                    try insert.bind(tx.hash.bytes, at: 1)
                    try insert.bind(tx.canonical, at: 2)
                    try insert.bind(time, at: 3)
                    try insert.bind(LedgerJobKey.of(tx.jobID), at: 4)
                    try insert.run()
                    added += db.changesCount
                }
                if held + added > limit {
                    throw LedgerError.mempoolFull(limit: limit)  // rolls the transaction back
                }
                return (receipts, added)
            }
            let after = LedgerHead(header: before.header, hash: before.hash, frontier: before.frontier, pendingCount: held + added)
            current.set(after)
            return SubmitOutcome(receipts: receipts, pendingCount: after.pendingCount)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw .storage(Self.describe(error))
        }
    }

    /// The receipts, and the transactions to store, when only the same hash is held already.
    private static func receiptsBySameTransaction(_ txs: [LedgerTransaction], _ committed: LookupTables.Committed) throws
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

    /// The receipts, and the transactions to store, keeping one transaction per job id.
    private static func receiptsByJob(_ txs: [LedgerTransaction], _ recorded: JobLookups.Recorded) throws
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
