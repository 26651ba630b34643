import Foundation
import NSCore
import NSLedger
import NSPostgres
import NSTestSupport

/// A ledger in a fresh database of a real cluster, with a producer key in its validator set and a
/// fixed clock. `node()` opens another store on the same database, as another ns-node would.
struct PostgresLedgerFixture {
    static let now: Int64 = 1_765_079_700_000

    let server: PostgresServer
    let databaseName: String
    let producer = LedgerKey(generatingNamed: "vp-node")
    let checkpointKey = LedgerKey(generatingNamed: "neuroswarm.test/ledger")

    /// On `server`, else on the process's shared cluster.
    init(server: PostgresServer? = nil) async throws {
        let server = if let server { server } else { try await PostgresServer.shared() }
        self.server = server
        databaseName = try server.freshDatabase()
    }

    var validators: [Validator] { [Validator(name: "vp-node", publicKey: producer.publicKey)] }

    var settings: LedgerStoreSettings {
        LedgerStoreSettings(origin: checkpointKey.name, checkpointKey: checkpointKey, genesisValidators: validators)
    }

    /// A store with its own database connection pools, and what stops them.
    func node(mempoolMax: Int = 100_000) async throws -> (store: PostgresLedgerStore, open: OpenDatabase) {
        let open = try OpenDatabase(server.databaseURL(databaseName))
        var settings = settings
        settings.mempoolMax = mempoolMax
        return (try await PostgresLedgerStore.open(database: open.database, settings: settings, now: { Self.now }), open)
    }

    /// `count` distinct valid transactions.
    static func txs(_ count: Int, from start: Int = 0) -> [LedgerTransaction] {
        (start..<start + count).map { index in tx(job: "job_\(index)", text: "artifact number \(index)") }
    }

    static func tx(job: String, text: String) -> LedgerTransaction {
        let content = Array(text.utf8)
        // Built from valid parts; a failure here is a bug in the fixture itself.
        return try! LedgerTransaction.make(artifactSHA256: MerkleHash.sha256(content).hex, artifactSize: Int64(content.count),
                                           submitter: "alice", jobID: job, preview: text, timeMs: now)
    }

    /// A valid next block for `txs` on the tip the database holds now, optionally altered (and
    /// then re-signed).
    func proposal(_ store: PostgresLedgerStore, _ txs: [LedgerTransaction], key: LedgerKey? = nil,
                  alter: (inout BlockHeader) -> Void = { _ in }) async throws -> BlockProposal {
        let head = try await store.reader.head()
        let signer = key ?? producer
        var header = BlockBuilder.header(after: head.header, frontier: head.frontier, txs: txs, timeMs: Self.now, key: signer)
        alter(&header)
        header.sign(with: signer)
        return BlockProposal(header: header, txs: txs)
    }
}
