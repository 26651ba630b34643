import Foundation
import GRDB
import NSCore
import NSLedger
import Testing

@Suite("chain audit applies the recorded validator changes by height")
struct ValidatorAuditTests {
    /// A closed ledger of five blocks: vp-node produces 1 and 3, vp-2 (added at height 2)
    /// produces 2, 4 and 5, and vp-node is removed from height 4.
    func chain() async throws -> (LedgerFixture, LedgerKey) {
        let fixture = try LedgerFixture()
        let second = LedgerKey(generatingNamed: "vp-2")
        let store = try fixture.openStore()
        let producers = [fixture.producer, second, fixture.producer, second, second]
        for (index, key) in producers.enumerated() {
            if index == 1 { try await store.changeValidators(.add(Validator(name: "vp-2", publicKey: second.publicKey)), requestedBy: "alice") }
            if index == 3 { try await store.changeValidators(.remove(id: fixture.producer.publicKey.validatorID), requestedBy: "alice") }
            _ = try await store.append(await fixture.proposal(store, LedgerFixture.txs(2, from: index * 2), key: key))
        }
        return (fixture, second)
    }

    func tamper(_ fixture: LedgerFixture, _ sql: String) throws {
        let queue = try DatabaseQueue(path: fixture.path)
        try queue.write { try $0.execute(sql: sql) }
        try queue.close()
    }

    func fault(_ fixture: LedgerFixture) throws -> ChainVerifier.Fault? {
        if case .failure(let fault) = try ChainAudit.audit(path: fixture.path) { return fault }
        return nil
    }

    @Test("a chain produced across an addition and a removal verifies to its tip")
    func clean() async throws {
        let (fixture, _) = try await chain()
        let summary = try ChainAudit.audit(path: fixture.path).get()
        #expect(summary.height == 5 && summary.logSize == 10)
    }

    @Test("without the recorded addition, the added key's first block is an unknown producer")
    func missingAddition() async throws {
        let (fixture, second) = try await chain()
        try tamper(fixture, "DELETE FROM validator_changes WHERE action = 'add'")
        let found = try #require(try fault(fixture))
        #expect(found.height == 2 && found.check == "producer", "\(found)")
        #expect(found.detail.contains(second.publicKey.validatorID))
    }

    @Test("an addition recorded later than the key's first block: the block came before its term")
    func lateAddition() async throws {
        let (fixture, _) = try await chain()
        try tamper(fixture, "UPDATE validator_changes SET height = 3 WHERE action = 'add'")
        let found = try #require(try fault(fixture))
        #expect(found.height == 2 && found.check == "producer" && found.detail.contains("joins the validator set only at height 3"), "\(found)")
    }

    @Test("a removal recorded earlier: the removed key's block after it is a producer fault")
    func earlyRemoval() async throws {
        let (fixture, _) = try await chain()
        try tamper(fixture, "UPDATE validator_changes SET height = 3 WHERE action = 'remove'")
        let found = try #require(try fault(fixture))
        #expect(found.height == 3 && found.check == "producer" && found.detail.contains("was removed from the validator set at height 3"), "\(found)")
    }

    @Test("a log the rules would never have accepted is reported as such, at the change's height", arguments: [
        // The first change becomes the removal of the only validator.
        ("""
         UPDATE validator_changes SET action = 'remove', validator_id = (SELECT id FROM validators WHERE added_height = 0),
         name = 'vp-node', public_key = (SELECT public_key FROM validators WHERE added_height = 0) WHERE action = 'add'
         """, 2),
        ("UPDATE validator_changes SET validator_id = '0000000000000000' WHERE action = 'add'", 2),
        ("UPDATE validator_changes SET height = 1 WHERE action = 'remove'", 1),
    ])
    func inconsistentLog(sql: String, height: UInt64) async throws {
        let (fixture, _) = try await chain()
        try tamper(fixture, sql)
        let found = try #require(try fault(fixture))
        #expect(found.check == "validatorChanges" && found.height == height, "\(found)")
    }
}
