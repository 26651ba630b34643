import Foundation
import NSCore
import NSTestSupport
import Testing

@Suite("vp-node's block producer")
struct BlockProducerTests {
    @Test("pending transactions are committed in signed blocks of at most BLOCK_MAX_TXS, and the chain verifies")
    func producesBlocks() async throws {
        let nsd = try await NSDInstance(roles: ["ns", "vp"], environment: ["BLOCK_MAX_TXS": "2", "BLOCK_INTERVAL_MS": "200"])
        let driver = try LedgerDriver(nsd)
        let txs = LedgerDriver.txs(5)
        #expect(try await driver.submit(txs).status == 200)
        var committed = 0
        for _ in 0..<100 where committed < txs.count {
            committed = 0
            for tx in txs where try await Fetched.get(driver.url("/v1/tx/\(tx.hash.hex)")).status == 200 { committed += 1 }
            if committed < txs.count { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(committed == txs.count)
        let latest = try #require(try await Fetched.get(driver.url("/v1/blocks/latest")).json)
        #expect((latest["height"] as? Int ?? 0) >= 3, "five transactions at two per block need three blocks")
        var sizes: [Int] = []
        for height in 1...(latest["height"] as? Int ?? 0) {
            sizes.append(try #require(try await Fetched.get(driver.url("/v1/blocks/\(height)")).json)["txCount"] as? Int ?? -1)
        }
        #expect(sizes.allSatisfy { (1...2).contains($0) } && sizes.reduce(0, +) == 5, "\(sizes)")
        let verify = try await NSCtlRunner.run(["chain", "verify", "--ns-url", driver.url("")])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let metrics = try await Fetched.get(nsd.url("vp-node", "/metrics")).body
        #expect(metrics.split(separator: "\n").contains { $0.hasPrefix("ns_blocks_produced_total") && !$0.hasSuffix(" 0") })
        #expect(await nsd.stop() == 0)
    }
}
