import Foundation
import NSCore
import NSLedger
import Testing

@Suite("chain audit finds tampering at the height where it happened")
struct ChainAuditTests {
    /// A ledger with five blocks of three transactions each.
    func chain(_ engine: LedgerEngine) async throws -> LedgerUnderTest {
        let ledger = try await engine.make()
        let (fixture, store) = (ledger.fixture, ledger.store)
        for block in 0..<5 {
            let txs = LedgerFixture.txs(3, from: block * 3)
            _ = try await store.append(try await fixture.proposal(store, txs))
        }
        return ledger
    }

    /// A change to the stored header fields, written in the engine's SQL by `statement`.
    struct HeaderTampering: Sendable, CustomTestStringConvertible {
        let statement: @Sendable (LedgerUnderTest) -> String
        let check: String
        let testDescription: String

        init(_ description: String, check: String, _ statement: @escaping @Sendable (LedgerUnderTest) -> String) {
            self.statement = statement
            self.check = check
            testDescription = description
        }
    }

    @Test("an untouched chain verifies to its tip", arguments: LedgerEngine.allCases)
    func clean(engine: LedgerEngine) async throws {
        let ledger = try await chain(engine)
        let summary = try await ledger.audit().get()
        #expect(summary.height == 5 && summary.logSize == 15)
        #expect(summary.logRoot == MerkleTree.root(leaves: LedgerFixture.txs(15).map(\.leafHash)))
        await ledger.stop()
    }

    @Test("one byte of a stored transaction", arguments: LedgerEngine.allCases, [0, 4, 13])
    func txByte(engine: LedgerEngine, leaf: Int) async throws {
        let ledger = try await chain(engine)
        // Change one digit of the time field ("time":1765079700000 becomes ...001).
        try await ledger.tamper("UPDATE txs SET body = \(ledger.replacing("700000,", with: "700001,", inBytes: "body")) WHERE leaf_index = \(leaf)")
        let found = try #require(try await ledger.fault())
        #expect(found.height == UInt64(leaf / 3 + 1))
        #expect(found.check == "txHash")
        await ledger.stop()
    }

    @Test("a header field, with or without its stored hash updated", arguments: LedgerEngine.allCases, [
        HeaderTampering("time", check: "hash") { _ in "UPDATE blocks SET time = time + 1 WHERE height = 3" },
        HeaderTampering("producer", check: "hash") { _ in "UPDATE blocks SET producer = 'genesis' WHERE height = 2" },
        HeaderTampering("signature", check: "hash") { "UPDATE blocks SET signature = \($0.bytes(Array(repeating: 0, count: 64))) WHERE height = 4" },
        HeaderTampering("logSize", check: "hash") { _ in "UPDATE blocks SET log_size = 99 WHERE height = 5" },
        HeaderTampering("stored hash", check: "hash") { "UPDATE blocks SET hash = \($0.bytes(Array(repeating: 0, count: 32))) WHERE height = 1" },
    ])
    func headerField(engine: LedgerEngine, _ tampering: HeaderTampering) async throws {
        let ledger = try await chain(engine)
        let sql = tampering.statement(ledger)
        let check = tampering.check
        try await ledger.tamper(sql)
        let height = UInt64(sql.split(separator: "=").last!.trimmingCharacters(in: .whitespaces))!  // every statement ends with "height = N"
        let found = try #require(try await ledger.fault())
        #expect(found.height == height && found.check == check, "\(found)")
        await ledger.stop()
    }

    @Test("a header rewritten consistently (hash recomputed) still fails its signature", arguments: LedgerEngine.allCases)
    func consistentRewrite(engine: LedgerEngine) async throws {
        let ledger = try await chain(engine)
        let stored = try #require(try await ledger.reader.block(height: 2)).header  // the chain has five blocks
        let header = BlockHeader(height: 2, prevHash: stored.prevHash, time: stored.time + 5, txRoot: stored.txRoot, logSize: 6,
                                 logRoot: stored.logRoot, producer: stored.producer, signature: stored.signature)
        try await ledger.tamper("UPDATE blocks SET time = \(header.time), hash = \(ledger.bytes(header.hash.bytes)) WHERE height = 2")
        let found = try #require(try await ledger.fault())
        #expect(found.height == 2 && found.check == "signature")
        await ledger.stop()
    }

    @Test("a stored tree node proofs would use", arguments: LedgerEngine.allCases)
    func treeNode(engine: LedgerEngine) async throws {
        let ledger = try await chain(engine)
        try await ledger.tamper("UPDATE tree_nodes SET hash = \(ledger.bytes(Array(repeating: 0, count: 32))) WHERE level = 3 AND idx = 0")
        let found = try #require(try await ledger.fault())
        #expect(found.check == "treeNodes" && found.height == 5)
        await ledger.stop()
    }

    @Test("the genesis validator set", arguments: LedgerEngine.allCases)
    func validatorSet(engine: LedgerEngine) async throws {
        let ledger = try await chain(engine)
        try await ledger.tamper("UPDATE validators SET name = 'someone-else'")
        let found = try #require(try await ledger.fault())
        #expect(found.height == 0 && found.check == "genesis")
        await ledger.stop()
    }
}
