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
                case .sameTransaction: try SubmitReceipts.bySameTransaction(txs, committed: LookupTables.Committed(pending: lookups, db).callAsFunction)
                case .onePerJob: try SubmitReceipts.byJob(txs, recorded: JobLookups.Recorded(pending: lookups, db).callAsFunction)
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
}
