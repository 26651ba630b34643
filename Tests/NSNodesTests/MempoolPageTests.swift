import NSCore
import Testing

@testable import NSNodes

@Suite("reading a mempool page")
struct MempoolPageTests {
    func tx(_ n: Int, preview: String = "hello") throws -> LedgerTransaction {
        try LedgerTransaction.make(artifactSHA256: String(repeating: "\(n % 10)", count: 64), artifactSize: Int64(n), submitter: "user-\(n)",
                                   jobID: "job_\(n)", metadata: ["emoji": "😀", "n": .int(Int64(n))], preview: preview, timeMs: 1_765_079_700_000 + Int64(n))
    }

    func page(_ entries: [String]) -> [UInt8] {
        Array(#"{"total":\#(entries.count),"txs":[\#(entries.joined(separator: ","))]}"#.utf8)
    }

    func entry(_ tx: LedgerTransaction, hash: String? = nil) -> String {
        #"{"tx":\#(String(decoding: tx.canonical, as: UTF8.self)),"txHash":"\#(hash ?? tx.hash.hex)"}"#
    }

    @Test("entries in ns-node's shape and in any other shape give the same transactions, in order")
    func shapes() throws {
        let txs = try (1...4).map { try tx($0, preview: "line\n\"quoted\" ｡") }
        let ownShape = page(txs.map { entry($0) })
        #expect(try MempoolPage.transactions(from: ownShape).map(\.canonical) == txs.map(\.canonical))

        let spaced = #"{ "tx" : \#(String(decoding: txs[0].canonical, as: UTF8.self)) , "txHash" : "\#(txs[0].hash.hex)" }"#
        let reordered = #"{"txHash":"\#(txs[1].hash.hex)","tx":\#(String(decoding: txs[1].canonical, as: UTF8.self))}"#
        let lyingHash = entry(txs[2], hash: String(repeating: "0", count: 64))
        let loose = String(decoding: txs[3].canonical, as: UTF8.self).replacingOccurrences(of: ",", with: ", ")
        let other = page([spaced, reordered, lyingHash, #"{"tx":\#(loose),"txHash":"\#(txs[3].hash.hex)"}"#])
        let read = try MempoolPage.transactions(from: other)
        #expect(read.map(\.canonical) == txs.map(\.canonical))
        #expect(read.map(\.hash) == txs.map(\.hash), "hashes come from the bytes, never from the page's claim")
    }

    @Test("an invalid transaction is refused, and a page without transactions is empty")
    func refusals() throws {
        let bad = #"{"tx":{"v":1},"txHash":"\#(String(repeating: "a", count: 64))"}"#
        #expect(throws: TransactionError.self) { try MempoolPage.transactions(from: page([bad])) }
        #expect(try MempoolPage.transactions(from: page([])).isEmpty)
        #expect(try MempoolPage.transactions(from: Array(#"{"total":0}"#.utf8)).isEmpty)
    }
}
