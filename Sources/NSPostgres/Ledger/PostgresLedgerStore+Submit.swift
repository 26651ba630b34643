import Logging
import NIOCore
import NSCore
import NSLedger
import PostgresNIO

extension PostgresLedgerStore {
    /// Accepts transactions into the mempool, all or none, with the SQLite store's receipts.
    ///
    /// Runs in one transaction under the mempool lock: shared for `sameTransaction` (the unique
    /// hash stores each once), exclusive for `onePerJob` (so two nodes racing on one job store
    /// one transaction). Appends take the lock exclusively, so no transaction can be committed
    /// between this check and its insertion into the mempool.
    public func submit(_ txs: [LedgerTransaction], rule: SubmitRule) async throws(LedgerError) -> SubmitOutcome {
        let (time, limit, logger) = (now(), settings.mempoolMax, database.queryLogger)
        do {
            return try await database.write { connection in
                let lock = rule == .onePerJob ? "pg_advisory_xact_lock" : "pg_advisory_xact_lock_shared"
                try await connection.query("SELECT \(unescaped: lock)(\(PostgresLedgerSchema.mempoolLock))", logger: logger)
                let receipts: [TxReceipt], fresh: [LedgerTransaction]
                if rule == .onePerJob {
                    (receipts, fresh) = try await Self.receiptsByJob(txs, connection, logger: logger)
                } else {
                    (receipts, fresh) = try await Self.receiptsBySameTransaction(txs, connection, logger: logger)
                }
                let pending = try await Self.insertPending(fresh, receivedAt: time, connection, logger: logger)
                if pending > limit { throw LedgerError.mempoolFull(limit: limit) }  // rolls the transaction back
                return SubmitOutcome(receipts: receipts, pendingCount: pending)
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw .storage(Self.describe(error))
        }
    }

    /// Stores `fresh` (a hash already pending is kept once) and returns the mempool size after.
    private static func insertPending(_ fresh: [LedgerTransaction], receivedAt: Int64, _ connection: PostgresConnection, logger: Logger) async throws -> Int {
        let hashes = fresh.map(\.hash.buffer)
        let bodies = fresh.map { ByteBuffer(bytes: $0.canonical) }
        let keys = fresh.map { LedgerJobKey.of($0.jobID) }
        let rows = try await connection.query("""
            WITH added AS (
                INSERT INTO ledger.mempool (hash, body, received_at, job_key)
                SELECT h, b, \(receivedAt), k FROM unnest(\(hashes)::bytea[], \(bodies)::bytea[], \(keys)::int8[]) WITH ORDINALITY AS u(h, b, k, n)
                ORDER BY n
                ON CONFLICT (hash) DO NOTHING RETURNING 1)
            UPDATE ledger.mempool_stats SET count = count + (SELECT count(*) FROM added) WHERE id = 1 RETURNING count
            """, logger: logger)
        var pending = 0
        for try await count in rows.decode(Int64.self) { pending = Int(count) }
        return pending
    }

    /// The receipts, and the transactions to store, when only the same hash is held already.
    private static func receiptsBySameTransaction(_ txs: [LedgerTransaction], _ connection: PostgresConnection, logger: Logger) async throws
        -> (receipts: [TxReceipt], fresh: [LedgerTransaction]) {
        var committed: [MerkleHash: (leaf: Int64, height: Int64)] = [:]
        let rows = try await connection.query("SELECT hash, leaf_index, block_height FROM ledger.txs WHERE hash = ANY(\(txs.map(\.hash.buffer)))",
                                              logger: logger)
        for try await (hash, leaf, height) in rows.decode((ByteBuffer, Int64, Int64).self) { committed[MerkleHash(buffer: hash)] = (leaf, height) }
        return SubmitReceipts.bySameTransaction(txs) { committed[$0] }
    }

    private struct Candidate {
        let hash: MerkleHash
        let jobID: String?
        let place: HeldPlace
    }

    /// The receipts, and the transactions to store, keeping one transaction per job id: the
    /// transaction itself when held, else the newest committed one for its job, else the newest
    /// pending one (the SQLite store's `JobLookups.Recorded`).
    private static func receiptsByJob(_ txs: [LedgerTransaction], _ connection: PostgresConnection, logger: Logger) async throws
        -> (receipts: [TxReceipt], fresh: [LedgerTransaction]) {
        let keys = Array(Set(txs.map { LedgerJobKey.of($0.jobID) }))
        var byKey: [Int64: [Candidate]] = [:]
        let committed = try await connection.query("""
            SELECT job_key, hash, leaf_index, block_height, body FROM ledger.txs WHERE job_key = ANY(\(keys)) ORDER BY leaf_index DESC
            """, logger: logger)
        for try await (key, hash, leaf, height, body) in committed.decode((Int64, ByteBuffer, Int64, Int64, ByteBuffer).self) {
            byKey[key, default: []].append(Candidate(hash: MerkleHash(buffer: hash), jobID: LedgerJobKey.jobID(inBody: body.byteArray),
                                                     place: .committed(leaf: leaf, height: height)))
        }
        let waiting = try await connection.query("SELECT job_key, hash, body FROM ledger.mempool WHERE job_key = ANY(\(keys)) ORDER BY seq DESC",
                                                  logger: logger)
        for try await (key, hash, body) in waiting.decode((Int64, ByteBuffer, ByteBuffer).self) {
            byKey[key, default: []].append(Candidate(hash: MerkleHash(buffer: hash), jobID: LedgerJobKey.jobID(inBody: body.byteArray), place: .pending))
        }
        return SubmitReceipts.byJob(txs) { tx in
            let matching = byKey[LedgerJobKey.of(tx.jobID), default: []].filter { $0.hash == tx.hash || $0.jobID == tx.jobID }
            return (matching.first { $0.hash == tx.hash } ?? matching.first).map { ($0.hash, $0.place) }
        }
    }
}
