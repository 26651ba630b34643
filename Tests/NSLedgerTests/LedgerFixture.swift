import Foundation
import GRDB
import NSCore
import NSLedger
import NSTestSupport

/// A ledger in a real SQLite file in a fresh folder, with a producer key in its validator set
/// and a fixed clock.
struct LedgerFixture {
    static let now: Int64 = 1_765_079_700_000

    let path: String
    let producer = LedgerKey(generatingNamed: "vp-node")
    let checkpointKey = LedgerKey(generatingNamed: "neuroswarm.test/ledger")

    init() throws {
        path = try Tools.temporaryDirectory("ledger") + "/neuroswarm_chain.db"
    }

    var validators: [Validator] { [Validator(name: "vp-node", publicKey: producer.publicKey)] }

    func openPool() throws -> DatabasePool {
        var migrator = DatabaseMigrator()
        LedgerSchema.register(in: &migrator)
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try migrator.migrate(pool)
        return pool
    }

    /// The settings every engine's store is opened with here.
    func settings(mempoolMax: Int = 100_000, maxBlockTxs: Int = BlockRules.defaultMaxTxs, lookupBatch: Int = 16_384) -> LedgerStoreSettings {
        LedgerStoreSettings(origin: checkpointKey.name, checkpointKey: checkpointKey, genesisValidators: validators, mempoolMax: mempoolMax,
                            maxBlockTxs: maxBlockTxs, lookupBatch: lookupBatch)
    }

    func openStore(mempoolMax: Int = 100_000, maxBlockTxs: Int = BlockRules.defaultMaxTxs, lookupBatch: Int = 16_384) throws -> SQLiteLedgerStore {
        try SQLiteLedgerStore(pool: openPool(), settings: settings(mempoolMax: mempoolMax, maxBlockTxs: maxBlockTxs, lookupBatch: lookupBatch),
                              now: { Self.now })
    }

    /// `count` distinct valid transactions.
    static func txs(_ count: Int, from start: Int = 0) -> [LedgerTransaction] {
        (start..<start + count).map { index in
            let content = Array("artifact number \(index)".utf8)
            // Built from valid parts; a failure here is a bug in the fixture itself.
            return try! LedgerTransaction.make(artifactSHA256: MerkleHash.sha256(content).hex, artifactSize: Int64(content.count),
                                               submitter: "user-\(index % 7)", jobID: "job_\(index)", preview: "artifact number \(index)",
                                               timeMs: now)
        }
    }

    /// A valid next block for `txs`, optionally altered (and then re-signed unless `resign` is false).
    func proposal(_ store: any LedgerStore, _ txs: [LedgerTransaction], key: LedgerKey? = nil, resign: Bool = true,
                  alter: (inout BlockHeader) -> Void = { _ in }) async throws -> BlockProposal {
        let signer = key ?? producer
        let head = try await store.reader.head()
        var header = BlockBuilder.header(after: head.header, frontier: head.frontier, txs: txs, timeMs: Self.now, key: signer)
        alter(&header)
        if resign { header.sign(with: signer) }
        return BlockProposal(header: header, txs: txs)
    }
}
