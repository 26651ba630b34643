import Foundation
import NSCore
import NSLedger
import NSNodes
import NSTestSupport

extension LedgerBench {
    /// Fills a fresh ledger of `engine` with `leaves` transactions in-process, through the
    /// engine's store in blocks of 5,000 (one store call each); times 2,000 library calls of
    /// `inclusionProof` at random leaves; then starts nsd on that ledger and times 2,000
    /// `GET /v1/proof/inclusion` requests over HTTP (after 200 that warm the connection and
    /// caches); last, the append throughput of 200 1,000-transaction blocks on top of the ledger,
    /// where its lookup tables are large. With `tileRequests`, the tile requests run on the same
    /// ledger before those appends, so it is filled once.
    static func proofLatency(_ engine: any LedgerEngine, leaves: Int, tileRequests measureTiles: Bool)
        async throws -> (proof: ProofFigures, tiles: [TileRequestFigure]?) {
        let ledger = try await engine.freshLedger(label: "proof")
        print("\(engine.name): filling a ledger with \(leaves) leaves (in-process, blocks of 5000)...")
        let (fillSeconds, library, tip, frontier) = try await engine.withStore(ledger) { store in
            let fillStart = ContinuousClock.now
            try await fill(store, leaves: leaves)
            let fillSeconds = (ContinuousClock.now - fillStart) / .seconds(1)
            var samples: [Duration] = []
            for _ in 0..<2_000 {
                let leaf = UInt64.random(in: 0..<UInt64(leaves))
                let start = ContinuousClock.now
                _ = try await store.reader.inclusionProof(leaf: leaf, size: UInt64(leaves))
                samples.append(ContinuousClock.now - start)
            }
            let head = try await store.reader.head()
            return (fillSeconds, Latency(samples), head.header, head.frontier)
        }
        print(String(format: "%@: filled in %.1f s; library LedgerReader.inclusionProof %@", engine.name, fillSeconds, library.line))

        return try await serving(ledger, of: engine) { _, port in
            var samples: [Duration] = []
            for index in 0..<2_200 {
                let leaf = Int.random(in: 0..<leaves)
                let start = ContinuousClock.now
                let reply = try await get("http://127.0.0.1:\(port)/v1/proof/inclusion?leaf=\(leaf)&size=\(leaves)")
                let elapsed = ContinuousClock.now - start
                guard reply.status == 200 else { throw BenchError("proof request failed with HTTP \(reply.status)") }
                if index >= 200 { samples.append(elapsed) }  // the first 200 warm the connection and caches
            }
            let http = Latency(samples)
            print("\(engine.name): GET /v1/proof/inclusion over HTTP \(http.line)")
            let tiles: [TileRequestFigure]? = if measureTiles { try await tileRequests(engine, port: port, leaves: leaves) } else { nil }
            let blocks = chain(blocks: 200, size: 1_000, after: tip, frontier: frontier, firstTx: leaves)
            let onTop = try await postBlocks(blocks[...], port: port, size: 1_000)
            print("\(engine.name), POST /blocks/produce on top of \(leaves) leaves, blocks of 1000: \(onTop.line)")
            return (ProofFigures(leaves: leaves, fillSeconds: fillSeconds, library: library, http: http, onTop: onTop), tiles)
        }
    }

    /// Appends `leaves` transactions in blocks of 5,000. The next block is built while the store
    /// appends the previous one (its header needs only the previous header and the log's right
    /// edge, both known here), so building and storing overlap on the two cores.
    static func fill(_ store: any LedgerStore, leaves: Int) async throws {
        let start = try await store.reader.head()
        var tip = start.header
        var frontier = start.frontier
        var pending: Task<Void, any Error>?
        var appended = 0
        while appended < leaves {
            let txs = transactions(min(5_000, leaves - appended), from: appended)
            let header = BlockBuilder.header(after: tip, frontier: frontier, txs: txs, timeMs: timeBase, key: producer)
            for tx in txs { frontier.append(tx.leafHash) }
            tip = header
            appended += txs.count
            try await pending?.value
            pending = Task { _ = try await store.append(BlockProposal(header: header, txs: txs)) }
        }
        try await pending?.value
    }
}
