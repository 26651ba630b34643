import Foundation
import GRDB
import NSCore
import NSLedger
import Testing

@Suite("chain audit applies the recorded validator changes by height")
struct ValidatorAuditTests {
    /// A closed ledger of five blocks: vp-node produces 1 and 3, vp-2 (added at height 2)
    /// produces 2, 4 and 5, and vp-node is removed from height 4.
    func chain(_ engine: LedgerEngine) async throws -> (LedgerUnderTest, LedgerKey) {
        let ledger = try await engine.make()
        let (fixture, store) = (ledger.fixture, ledger.store)
        let second = LedgerKey(generatingNamed: "vp-2")
        let producers = [fixture.producer, second, fixture.producer, second, second]
        for (index, key) in producers.enumerated() {
            if index == 1 { try await store.changeValidators(.add(Validator(name: "vp-2", publicKey: second.publicKey)), requestedBy: "alice") }
            if index == 3 { try await store.changeValidators(.remove(id: fixture.producer.publicKey.validatorID), requestedBy: "alice") }
            _ = try await store.append(try await fixture.proposal(store, LedgerFixture.txs(2, from: index * 2), key: key))
        }
        return (ledger, second)
    }

    @Test("a chain produced across an addition and a removal verifies to its tip", arguments: LedgerEngine.allCases)
    func clean(engine: LedgerEngine) async throws {
        let (ledger, _) = try await chain(engine)
        let summary = try await ledger.audit().get()
        #expect(summary.height == 5 && summary.logSize == 10)
        await ledger.stop()
    }

    @Test("without the recorded addition, the added key's first block is an unknown producer", arguments: LedgerEngine.allCases)
    func missingAddition(engine: LedgerEngine) async throws {
        let (ledger, second) = try await chain(engine)
        try await ledger.tamper("DELETE FROM validator_changes WHERE action = 'add'")
        let found = try #require(try await ledger.fault())
        #expect(found.height == 2 && found.check == "producer", "\(found)")
        #expect(found.detail.contains(second.publicKey.validatorID))
        await ledger.stop()
    }

    @Test("an addition recorded later than the key's first block: the block came before its term", arguments: LedgerEngine.allCases)
    func lateAddition(engine: LedgerEngine) async throws {
        let (ledger, _) = try await chain(engine)
        try await ledger.tamper("UPDATE validator_changes SET height = 3 WHERE action = 'add'")
        let found = try #require(try await ledger.fault())
        #expect(found.height == 2 && found.check == "producer" && found.detail.contains("joins the validator set only at height 3"), "\(found)")
        await ledger.stop()
    }

    @Test("a removal recorded earlier: the removed key's block after it is a producer fault", arguments: LedgerEngine.allCases)
    func earlyRemoval(engine: LedgerEngine) async throws {
        let (ledger, _) = try await chain(engine)
        try await ledger.tamper("UPDATE validator_changes SET height = 3 WHERE action = 'remove'")
        let found = try #require(try await ledger.fault())
        #expect(found.height == 3 && found.check == "producer" && found.detail.contains("was removed from the validator set at height 3"), "\(found)")
        await ledger.stop()
    }

    @Test("a log the rules would never have accepted is reported as such, at the change's height", arguments: LedgerEngine.allCases, [
        // The first change becomes the removal of the only validator.
        ("""
         UPDATE validator_changes SET action = 'remove', validator_id = (SELECT id FROM validators WHERE added_height = 0),
         name = 'vp-node', public_key = (SELECT public_key FROM validators WHERE added_height = 0) WHERE action = 'add'
         """, 2),
        ("UPDATE validator_changes SET validator_id = '0000000000000000' WHERE action = 'add'", 2),
        ("UPDATE validator_changes SET height = 1 WHERE action = 'remove'", 1),
    ])
    func inconsistentLog(engine: LedgerEngine, _ tampering: (String, UInt64)) async throws {
        let (sql, height) = tampering
        let (ledger, _) = try await chain(engine)
        try await ledger.tamper(sql)
        let found = try #require(try await ledger.fault())
        #expect(found.check == "validatorChanges" && found.height == height, "\(found)")
        await ledger.stop()
    }
}
