import Foundation
import NSCore
import NSLedger
import Testing

@Suite("one rule set: a block ns-node refuses is the fault an audit reports, under the same rule name")
struct SharedBlockRulesTests {
    /// A block after a one-block chain that breaks exactly one rule.
    struct Violation: Sendable, CustomTestStringConvertible {
        let rule: BlockRule
        let how: String
        let block: @Sendable (LedgerFixture, any LedgerStore) async throws -> BlockProposal

        var testDescription: String { "\(rule.rawValue): \(how)" }
    }

    /// A small limit, so a block over it is cheap to build; the store and the verifier both get it.
    static let maxTxs = 4
    static let next = LedgerFixture.txs(3, from: 2)

    static let violations: [Violation] = [
        Violation(rule: .height, how: "one ahead of the tip") { fixture, store in
            try await fixture.proposal(store, next) { $0.height += 1 }
        },
        Violation(rule: .prevHash, how: "not the previous block's hash") { fixture, store in
            try await fixture.proposal(store, next) { $0.prevHash = MerkleTree.emptyRoot }
        },
        Violation(rule: .time, how: "before the previous block") { fixture, store in
            try await fixture.proposal(store, next) { $0.time -= 1 }
        },
        Violation(rule: .producer, how: "a key outside the validator set") { fixture, store in
            try await fixture.proposal(store, next, key: LedgerKey(generatingNamed: "rogue"))
        },
        Violation(rule: .signature, how: "another key's signature under the validator's id") { fixture, store in
            var header = try await fixture.proposal(store, next).header
            header.signature = LedgerKey(generatingNamed: "rogue").sign(header.signingBytes)
            return BlockProposal(header: header, txs: next)
        },
        Violation(rule: .txCount, how: "no transactions") { fixture, store in
            try await fixture.proposal(store, [])
        },
        Violation(rule: .txCount, how: "more than the limit") { fixture, store in
            try await fixture.proposal(store, LedgerFixture.txs(maxTxs + 1, from: 2))
        },
        Violation(rule: .duplicateTx, how: "a transaction twice in the block") { fixture, store in
            try await fixture.proposal(store, next + [next[0]])
        },
        Violation(rule: .txRoot, how: "not the root of the transactions") { fixture, store in
            try await fixture.proposal(store, next) { $0.txRoot = MerkleTree.emptyRoot }
        },
        Violation(rule: .logSize, how: "one more than the log holds") { fixture, store in
            try await fixture.proposal(store, next) { $0.logSize += 1 }
        },
        Violation(rule: .logRoot, how: "not the log's root") { fixture, store in
            try await fixture.proposal(store, next) { $0.logRoot = $0.txRoot }
        },
    ]

    /// A real ledger holding genesis and one block of two transactions.
    func oneBlock(_ engine: LedgerEngine) async throws -> (LedgerUnderTest, LedgerFixture, any LedgerStore) {
        let ledger = try await engine.make(maxBlockTxs: Self.maxTxs)
        let (fixture, store) = (ledger.fixture, ledger.store)
        _ = try await store.append(try await fixture.proposal(store, LedgerFixture.txs(2)))
        return (ledger, fixture, store)
    }

    /// A verifier that has checked every block the store holds, as `nsctl chain verify` would.
    func verifierAtTip(_ fixture: LedgerFixture, _ store: any LedgerStore) async throws -> ChainVerifier {
        var verifier = ChainVerifier(schedule: ValidatorSchedule(genesis: fixture.validators), maxTxs: Self.maxTxs)
        for height in 0...(try await store.reader.head().header.height) {
            let block = try #require(try await store.reader.block(height: height))
            let txs = try await store.reader.transactions(inBlock: height).map { ChainVerifier.StoredTx(hash: $0.hash, canonical: $0.canonical) }
            try verifier.verify(block.header, storedHash: block.hash, txs: txs)
        }
        return verifier
    }

    func audit(_ verifier: inout ChainVerifier, _ block: BlockProposal) throws(ChainVerifier.Fault) {
        try verifier.verify(block.header, storedHash: block.header.hash,
                            txs: block.txs.map { ChainVerifier.StoredTx(hash: $0.hash, canonical: $0.canonical) })
    }

    @Test("the valid next block passes both (the baseline every violation departs from)", arguments: LedgerEngine.allCases)
    func baseline(engine: LedgerEngine) async throws {
        let (ledger, fixture, store) = try await oneBlock(engine)
        let block = try await fixture.proposal(store, Self.next)
        var verifier = try await verifierAtTip(fixture, store)
        try audit(&verifier, block)
        #expect(try await store.append(block).header.height == 2)
        let stored = try await store.reader.head().frontier
        #expect(verifier.logSize == 5 && verifier.logRoot == stored.root)
        await ledger.stop()
    }

    @Test("refused by append and reported by the verifier under the same name", arguments: LedgerEngine.allCases, violations)
    func sameRule(engine: LedgerEngine, _ violation: Violation) async throws {
        let (ledger, fixture, store) = try await oneBlock(engine)
        let block = try await violation.block(fixture, store)
        await #expect {
            _ = try await store.append(block)
        } throws: { error in
            (error as? BlockRejection)?.rule == violation.rule
        }
        #expect(try await store.reader.head().header.height == 1, "the refused block changed nothing")
        var verifier = try await verifierAtTip(fixture, store)
        #expect {
            try audit(&verifier, block)
        } throws: { error in
            let fault = error as? ChainVerifier.Fault
            return fault?.check == violation.rule.rawValue && fault?.height == block.header.height
        }
        await ledger.stop()
    }

    @Test("every rule has a violation above, but tx, whose bytes are judged where they are decoded")
    func everyRuleCovered() {
        #expect(Set(Self.violations.map(\.rule)).union([.tx]) == Set(BlockRule.allCases))
    }

    @Test("tx: stored bytes that are not a valid transaction are a fault under the rule ns-node refuses them by", arguments: LedgerEngine.allCases)
    func invalidTransactionBytes(engine: LedgerEngine) async throws {
        let (ledger, fixture, store) = try await oneBlock(engine)
        let block = try await fixture.proposal(store, Self.next)
        var verifier = try await verifierAtTip(fixture, store)
        let broken = Array(#"{"v":1,"jobId":"x"}"#.utf8)
        let txs = [ChainVerifier.StoredTx(hash: MerkleHash.sha256(broken), canonical: broken)]
        #expect {
            try verifier.verify(block.header, storedHash: block.header.hash, txs: txs)
        } throws: { error in
            (error as? ChainVerifier.Fault)?.check == BlockRule.tx.rawValue
        }
        await ledger.stop()
    }

    @Test("the two checks that need ns-node's own state: refused on append, not knowable to an audit", arguments: LedgerEngine.allCases)
    func writerOnly(engine: LedgerEngine) async throws {
        let (ledger, fixture, store) = try await oneBlock(engine)
        let future = try await fixture.proposal(store, Self.next) { $0.time += 3_600_000 }
        let recommitted = try await fixture.proposal(store, LedgerFixture.txs(1) + Self.next)
        for (block, rule) in [(future, BlockRule.time), (recommitted, .duplicateTx)] {
            await #expect {
                _ = try await store.append(block)
            } throws: { error in
                (error as? BlockRejection)?.rule == rule
            }
            var verifier = try await verifierAtTip(fixture, store)
            try audit(&verifier, block)
        }
        await ledger.stop()
    }
}
