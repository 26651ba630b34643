import Foundation
import GRDB
import NSCore
import NSSQLite

extension LedgerStore {
    /// Which transactions `POST /tx` treats as already held.
    public enum SubmitRule: Sendable {
        /// Only the same transaction (by hash) is held already: another one recording the same job
        /// id is stored beside it. For writers that record a series under one job id (admin-node's
        /// audit anchors).
        case sameTransaction
        /// One transaction per job id: a transaction whose job id the ledger already records
        /// (pending, committed, or earlier in the same call) is not stored, and its receipt names
        /// the one held (``TxReceipt/duplicateJob``). vp-node's workers send artifacts this way: a
        /// job worked twice (its queue restored from a backup taken before it completed, or its
        /// lease lost after ns-node took its transaction) may build a different transaction (a
        /// code job's sandbox outcome records its duration), and must complete with the one held
        /// rather than anchor its artifact twice.
        case onePerJob
    }

    /// Accepts transactions into the durable mempool, all or none. A transaction already pending
    /// or committed is acknowledged again and stored once; under ``SubmitRule/onePerJob`` so is any
    /// other transaction for a job the ledger records. The check runs inside this actor's write
    /// transaction, so two vp-nodes racing on one recovered job cannot both be stored: whichever
    /// comes second is answered with the first.
    public func submit(_ txs: [LedgerTransaction], rule: SubmitRule = .sameTransaction) throws(LedgerError) -> [TxReceipt] {
        let time = now()
        let current = mempoolCount
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
                    try insert.bind(JobLookups.key(tx.jobID), at: 4)
                    try insert.run()
                    added += db.changesCount
                }
                if current + added > limit {
                    throw LedgerError.mempoolFull(limit: limit)  // rolls the transaction back
                }
                return (receipts, added)
            }
            mempoolCount += added
            return receipts
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

/// What `POST /tx` answers for each transaction, in the order sent: where the transaction stands,
/// or under ``LedgerStore/SubmitRule/onePerJob`` the one the ledger holds for its job id.
public struct TxReceipt: Sendable, Equatable {
    public enum Status: String, Sendable {
        case pending, committed
    }

    public var txHash: String
    public var status: Status
    public var blockHeight: Int64?
    public var leafIndex: Int64?
    /// Another transaction already recorded the submitted one's job id: `txHash` names that one,
    /// and the submitted transaction was not stored.
    public var duplicateJob: Bool

    public init(txHash: String, status: Status, blockHeight: Int64? = nil, leafIndex: Int64? = nil, duplicateJob: Bool = false) {
        self.txHash = txHash
        self.status = status
        self.blockHeight = blockHeight
        self.leafIndex = leafIndex
        self.duplicateJob = duplicateJob
    }
}
