import Foundation
import GRDB
import HummingbirdTesting
import NSCore
import NSLedger
import NSNodes
import NSTestSupport
import Testing

/// ns-node as `nsd` builds it, on a real SQLite ledger in a fresh folder, served over real HTTP
/// while a test runs, with a producer key in its validator set so the test can commit blocks.
struct LiveLedgerNode {
    let store: any LedgerStore
    /// The same store's synchronous SQLite reader, for startup code that cannot await.
    let sqliteReader: SQLiteLedgerReader
    let database: NodeDatabase
    let producer = LedgerKey(generatingNamed: "vp-node")

    init() throws {
        let folder = try Tools.temporaryDirectory("ledger-node")
        var migrator = DatabaseMigrator.node("ns-node")
        LedgerSchema.register(in: &migrator)
        database = try NodeDatabase(path: folder + "/neuroswarm_chain.db", variable: "DB_PATH", migrator: migrator)
        let checkpointKey = LedgerKey(generatingNamed: "neuroswarm.test/ledger")
        let sqlite = try SQLiteLedgerStore(pool: database.pool, settings: .init(origin: checkpointKey.name, checkpointKey: checkpointKey,
                                                                                genesisValidators: [Validator(name: producer.name, publicKey: producer.publicKey)]))
        store = sqlite
        sqliteReader = sqlite.sqliteReader
    }

    /// A valid transaction recording `jobID`, distinct per `text`.
    static func tx(job jobID: String, submitter: String, text: String) throws -> LedgerTransaction {
        try LedgerTransaction.make(artifactSHA256: MerkleHash.sha256(Array(text.utf8)).hex, artifactSize: Int64(text.utf8.count),
                                   submitter: submitter, jobID: jobID, preview: text, timeMs: LedgerClock.wallMs())
    }

    /// Commits `txs` in the next block, signed by the producer.
    func commit(_ txs: [LedgerTransaction]) async throws {
        let head = try await store.reader.head()
        let header = BlockBuilder.header(after: head.header, frontier: head.frontier, txs: txs,
                                         timeMs: LedgerClock.wallMs(), key: producer)
        _ = try await store.append(BlockProposal(header: header, txs: txs))
    }

    /// Serves ns-node on a free port while `body` runs, and hands it the node's address. Its
    /// internal routes take `internalToken`, and `previousInternalToken` as during a rotation.
    func serve(internalToken: Secret = Secret("internal-token"), previousInternalToken: Secret? = nil,
               _ body: @escaping @Sendable (PeerAddress) async throws -> Void) async throws {
        let app = makeNodeApp(blueprint: LedgerNode.blueprint(database: database, store: store, internalToken: internalToken,
                                                              previousInternalToken: previousInternalToken, metrics: NodeMetrics(node: "ns-node")))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await body(PeerAddress(url: URL(string: "http://127.0.0.1:\(port)")!))  // built from a port number
        }
    }
}
