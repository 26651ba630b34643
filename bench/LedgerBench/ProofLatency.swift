import Foundation
import GRDB
import NSCore
import NSLedger
import NSNodes
import NSTestSupport

extension LedgerBench {
    /// Fills a ledger with `leaves` transactions in-process (blocks of 5,000), then measures
    /// `GET /v1/proof/inclusion` over HTTP against nsd, and the library call alone, at random
    /// leaves; last, the append throughput of 1,000-transaction blocks on top of that ledger, where
    /// its lookup tables are large.
    static func proofLatency(leaves: Int) async throws {
        let folder = try Tools.temporaryDirectory("bench-proof")
        let path = folder + "/ns-node-data/neuroswarm_chain.db"
        print("\nfilling a ledger with \(leaves) leaves (in-process, blocks of 5000)...")
        let fillStart = ContinuousClock.now
        let (tip, frontier) = try await {
            var migrator = DatabaseMigrator.node("ns-node")
            LedgerSchema.register(in: &migrator)
            let database = try NodeDatabase(path: path, variable: "DB_PATH", migrator: migrator)
            let store: any LedgerStore = try SQLiteLedgerStore(pool: database.pool, settings: .init(
                origin: checkpointKey.name, checkpointKey: checkpointKey,
                genesisValidators: [Validator(name: "vp-node", publicKey: producer.publicKey)]))
            var appended = 0
            while appended < leaves {
                let txs = transactions(min(5_000, leaves - appended), from: appended)
                let head = try await store.reader.head()
                let header = BlockBuilder.header(after: head.header, frontier: head.frontier, txs: txs, timeMs: timeBase, key: producer)
                _ = try await store.append(BlockProposal(header: header, txs: txs))
                appended += txs.count
            }
            var samples: [Duration] = []
            for _ in 0..<2_000 {
                let leaf = UInt64.random(in: 0..<UInt64(leaves))
                let start = ContinuousClock.now
                _ = try await store.reader.inclusionProof(leaf: leaf, size: UInt64(leaves))
                samples.append(ContinuousClock.now - start)
            }
            print(String(format: "filled in %.1f s", (ContinuousClock.now - fillStart) / .seconds(1)))
            report("library LedgerReader.inclusionProof", samples)
            let head = try await store.reader.head()
            let end = (head.header, head.frontier)
            try database.close()
            return end
        }()

        let (node, port) = try await startNode(dataDirectory: folder)
        var samples: [Duration] = []
        for index in 0..<2_200 {
            let leaf = Int.random(in: 0..<leaves)
            let start = ContinuousClock.now
            let reply = try await get("http://127.0.0.1:\(port)/v1/proof/inclusion?leaf=\(leaf)&size=\(leaves)")
            let elapsed = ContinuousClock.now - start
            guard reply.status == 200 else { throw BenchError("proof request failed with HTTP \(reply.status)") }
            if index >= 200 { samples.append(elapsed) }  // the first 200 warm the connection and caches
        }
        report("GET /v1/proof/inclusion over HTTP", samples)
        let blocks = chain(blocks: 200, size: 1_000, after: tip, frontier: frontier, firstTx: leaves)
        let start = ContinuousClock.now
        for body in blocks {
            try await produce("http://127.0.0.1:\(port)/blocks/produce", body: body)
        }
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        print(String(format: "POST /blocks/produce on top of %d leaves: 200 blocks of 1000 in %.2f s = %.0f tx/s", leaves, seconds, 200_000 / seconds))
        node.signal(SIGTERM)
        _ = await node.waitForExit(timeout: .seconds(30))
        try? FileManager.default.removeItem(atPath: folder)
    }

    static func report(_ label: String, _ samples: [Duration]) {
        let sorted = samples.sorted()
        func ms(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] / .microseconds(1) / 1000 }
        print(String(format: "%@ at %d samples: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms", label, sorted.count, ms(0.5), ms(0.9), ms(0.99)))
    }
}
