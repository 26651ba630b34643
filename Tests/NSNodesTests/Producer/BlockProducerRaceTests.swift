import Foundation
import GRDB
import HummingbirdTesting
import Logging
import NSCore
import NSLedger
import NSTestSupport
import Testing
@testable import NSNodes

/// Two block producers on one ns-node (two vp-nodes in the split deployment) build from the same
/// mempool at the same moment. The loser must come back as a lost race or an idle round, never
/// as a block ns-node refuses for repeating transactions the winner committed.
@Suite("block producers racing on one ns-node")
struct BlockProducerRaceTests {
    @Test("of two producers building from one mempool at once, one commits it and the other neither fails nor repeats it")
    func racingProducers() async throws {
        let folder = try Tools.temporaryDirectory("producer-race")
        var migrator = DatabaseMigrator.node("ns-node")
        LedgerSchema.register(in: &migrator)
        let database = try NodeDatabase(path: folder + "/neuroswarm_chain.db", variable: "DB_PATH", migrator: migrator)
        let keys = [LedgerKey(generatingNamed: "vp-node-1"), LedgerKey(generatingNamed: "vp-node-2")]
        let checkpointKey = LedgerKey(generatingNamed: "neuroswarm.test/ledger")
        let store: any LedgerStore = try SQLiteLedgerStore(pool: database.pool, settings: .init(origin: checkpointKey.name, checkpointKey: checkpointKey,
                                                                                             genesisValidators: keys.map { Validator(name: $0.name, publicKey: $0.publicKey) },
                                                                                             mempoolMax: 10_000))
        let token = Secret("internal-token")
        let metrics = NodeMetrics(node: "ns-node")
        let app = makeNodeApp(blueprint: LedgerNode.blueprint(database: database, store: store, internalToken: token, metrics: metrics))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let ledger = LedgerCalls(address: PeerAddress(url: URL(string: "http://127.0.0.1:\(port)")!),  // built from a port number
                                      token: token, timeout: .seconds(30), client: .nodeFailingFast)
            let producers = keys.map { key in
                BlockProducer(ledger: ledger, key: key, settings: .init(interval: .milliseconds(100), maxTxs: 1_000),
                              metrics: NodeMetrics(node: "vp-node"), logger: Logger(label: "vp-node"))
            }
            var committed = 0
            for round in 0..<20 {
                let txs = (0..<25).map { index in
                    let text = "race \(round) artifact \(index)"
                    // Built from valid parts; a failure is a bug in the test itself.
                    return try! LedgerTransaction.make(artifactSHA256: MerkleHash.sha256(Array(text.utf8)).hex, artifactSize: Int64(text.utf8.count),
                                                       submitter: "racer", jobID: "job_\(round)_\(index)", preview: text, timeMs: 1_765_079_700_000)
                }
                #expect(try await ledger.submit(txs).status == 200)
                async let first = producers[0].round()
                async let second = producers[1].round()
                let outcomes = [try await first, try await second]
                let produced = outcomes.compactMap { outcome -> Int? in
                    if case .produced(_, let count) = outcome { return count }
                    return nil
                }
                #expect(produced.reduce(0, +) == txs.count, "round \(round): \(outcomes)")
                committed += produced.reduce(0, +)
            }
            #expect(try await store.reader.head().header.height >= 20)
            #expect(try await store.reader.logSize() == UInt64(committed))
        }
    }
}
