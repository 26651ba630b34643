import Logging
import NIOCore
import NSCore
import NSLedger
import PostgresNIO

extension PostgresLedgerStore {
    /// Validates `proposal` by ``BlockRules`` (the SQLite store's checks, errors and
    /// checkpoints) and appends it atomically: block row, transactions, tree nodes, mempool
    /// removal and counter, checkpoint and head commit together or not at all.
    ///
    /// The CPU part (signature, roots) runs outside the transaction over the tip hint. Inside,
    /// under the mempool lock and the head row's lock, the head must still be the hint's tip; if
    /// another node moved it, the hint is reloaded and the block judged again, so the losing
    /// racer for a height gets `.height`/`.prevHash` (409) exactly as on SQLite.
    public func append(_ proposal: BlockProposal) async throws(BlockRejection) -> AppendOutcome {
        do {
            return try await appendChecked(proposal)
        } catch let rejection as BlockRejection {
            throw rejection
        } catch {
            throw .unavailable(Self.describe(error))
        }
    }

    private enum Attempt: Sendable {
        case appended(pendingCount: Int)
        /// The head row is not the hint's tip: another node appended or changed the validators.
        case stale
    }

    private func appendChecked(_ proposal: BlockProposal) async throws -> AppendOutcome {
        var tip = try await currentHint()
        var reloaded = false
        while true {
            let body: BlockRules.Body
            do {
                body = try validate(proposal, on: tip)
            } catch {
                // A rejection by a stale hint is no rejection: judge again by the database's tip.
                guard !reloaded else { throw error }
                tip = try await reloadHint()
                reloaded = true
                continue
            }
            switch try await persist(proposal, body, on: tip) {
            case .appended(let pendingCount):
                let next = PostgresLedgerTip(header: proposal.header, hash: proposal.header.hash, frontier: body.log,
                                             validatorsSeq: tip.validatorsSeq, schedule: tip.schedule)
                hint.withLock { $0 = next }
                return AppendOutcome(header: proposal.header, pendingCount: pendingCount)
            case .stale:
                tip = try await reloadHint()
                reloaded = true
            }
        }
    }

    private func validate(_ proposal: BlockProposal, on tip: PostgresLedgerTip) throws(BlockRejection) -> BlockRules.Body {
        let rules = BlockRules(schedule: tip.schedule, maxTxs: settings.maxBlockTxs)
        try rules.checkHeader(proposal.header, after: tip.header, previousHash: tip.hash, notAfter: now() + settings.maxClockSkewMs)
        return try rules.checkBody(proposal.header, txs: proposal.txs, log: tip.frontier)
    }

    private func persist(_ proposal: BlockProposal, _ body: BlockRules.Body, on tip: PostgresLedgerTip) async throws -> Attempt {
        let header = proposal.header
        let txs = proposal.txs
        let note = Checkpoint(origin: settings.origin, size: body.log.size, root: body.log.root).signed(with: settings.checkpointKey)
        let logger = database.queryLogger
        let firstLeaf = Int64(tip.header.logSize)
        let hashes = txs.map(\.hash.buffer)
        do {
            return try await database.write { connection -> Attempt in
                try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresLedgerSchema.mempoolLock))", logger: logger)
                let head = try await connection.query("SELECT height, hash, validators_seq FROM ledger.head WHERE id = 1 FOR UPDATE", logger: logger)
                var current = false
                for try await (height, hash, validatorsSeq) in head.decode((Int64, ByteBuffer, Int64).self) {
                    current = tip.matches(height: height, hash: hash, validatorsSeq: validatorsSeq)
                }
                guard current else { return .stale }
                // A transaction committed before is refused by `UNIQUE (hash)` itself (handled
                // below): probing for it first cost a round trip and 1,000 index reads per block.
                return .appended(pendingCount: try await Self.insert(header, txs, body, firstLeaf: firstLeaf, note: note, connection, logger: logger))
            }
        } catch let error as PostgresDatabaseError {
            guard case .refused(let state, let constraint, _) = error, state == "23505" || state == "23503" else { throw error }
            // Under the locks, with the head at the tip, only a transaction committed before can
            // break the unique hash. Anything else: a writer that skipped the locks moved the tip.
            if constraint == PostgresLedgerSchema.uniqueTxHash, let index = try await firstCommitted(hashes) {
                throw BlockRejection.duplicateTx(index: index, txHash: txs[index].hash.hex)
            }
            return .stale
        }
    }

    /// The position in `hashes` of the first transaction the ledger has committed.
    private func firstCommitted(_ hashes: [ByteBuffer]) async throws -> Int? {
        let logger = database.queryLogger
        let committed = try await database.read { connection in
            var found: Set<MerkleHash> = []
            let rows = try await connection.query("SELECT hash FROM ledger.txs WHERE hash = ANY(\(hashes))", logger: logger)
            for try await hash in rows.decode(ByteBuffer.self) { found.insert(MerkleHash(buffer: hash)) }
            return found
        }
        return hashes.firstIndex { committed.contains(MerkleHash(buffer: $0)) }
    }

    /// One statement of data-modifying CTEs: the block, its transactions, the tree nodes it
    /// completes, its checkpoint, the mempool removal with its counter, and the head. Returns the
    /// mempool size after it.
    private static func insert(_ header: BlockHeader, _ txs: [LedgerTransaction], _ body: BlockRules.Body, firstLeaf: Int64, note: String,
                               _ connection: PostgresConnection, logger: Logger) async throws -> Int {
        let leafIndexes = txs.indices.map { firstLeaf + Int64($0) }
        let hashes = txs.map(\.hash.buffer)
        let leafHashes = body.leaves.map(\.buffer)
        let artifacts = txs.map(\.artifactDigest.buffer)
        let artifactKeys = txs.map { $0.artifactDigest.lookupKey }
        let jobKeys = txs.map { LedgerJobKey.of($0.jobID) }
        let bodies = txs.map { ByteBuffer(bytes: $0.canonical) }
        let levels = body.createdNodes.map { Int16($0.level) }
        let nodeIndexes = body.createdNodes.map { Int64($0.index) }
        let nodeHashes = body.createdNodes.map(\.hash.buffer)
        let height = Int64(header.height)
        let rows = try await connection.query("""
            WITH block AS (
                INSERT INTO ledger.blocks (height, hash, prev_hash, time, tx_root, log_size, log_root, producer, signature, tx_count)
                VALUES (\(height), \(header.hash.buffer), \(header.prevHash.buffer), \(header.time), \(header.txRoot.buffer),
                        \(Int64(header.logSize)), \(header.logRoot.buffer), \(header.producer), \(ByteBuffer(bytes: header.signature)),
                        \(Int32(txs.count)))),
            txs AS (
                INSERT INTO ledger.txs (leaf_index, hash, leaf_hash, block_height, artifact, artifact_key, job_key, body)
                SELECT l, h, lh, \(height), a, ak, jk, b
                FROM unnest(\(leafIndexes)::int8[], \(hashes)::bytea[], \(leafHashes)::bytea[], \(artifacts)::bytea[],
                            \(artifactKeys)::int8[], \(jobKeys)::int8[], \(bodies)::bytea[]) AS u(l, h, lh, a, ak, jk, b)),
            nodes AS (
                INSERT INTO ledger.tree_nodes (level, idx, hash)
                SELECT * FROM unnest(\(levels)::int2[], \(nodeIndexes)::int8[], \(nodeHashes)::bytea[])),
            note AS (INSERT INTO ledger.checkpoints (log_size, note) VALUES (\(Int64(header.logSize)), \(note))),
            gone AS (DELETE FROM ledger.mempool WHERE hash = ANY(\(hashes)::bytea[]) RETURNING 1),
            head AS (UPDATE ledger.head SET height = \(height), hash = \(header.hash.buffer) WHERE id = 1)
            UPDATE ledger.mempool_stats SET count = count - (SELECT count(*) FROM gone) WHERE id = 1 RETURNING count
            """, logger: logger)
        var pending = 0
        for try await count in rows.decode(Int64.self) { pending = Int(count) }
        return pending
    }
}
