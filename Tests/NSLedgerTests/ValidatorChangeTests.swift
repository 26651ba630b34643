import Foundation
import GRDB
import NSCore
import NSLedger
import Testing

@Suite("validator set changes: recorded at the tip, in force from the next block, refused when inconsistent")
struct ValidatorChangeTests {
    let fixture: LedgerFixture
    let second = LedgerKey(generatingNamed: "vp-2")

    init() throws {
        fixture = try LedgerFixture()
    }

    var secondValidator: Validator { Validator(name: "vp-2", publicKey: second.publicKey) }
    var firstID: String { fixture.producer.publicKey.validatorID }

    /// Appends one block of fresh transactions signed by `key`.
    @discardableResult
    func produce(_ store: any LedgerStore, key: LedgerKey, batch: Int) async throws -> BlockHeader {
        try await store.append(try await fixture.proposal(store, LedgerFixture.txs(2, from: batch * 2), key: key)).header
    }

    @Test("an added key may produce from the tip's height + 1; before the change it is refused", arguments: LedgerEngine.allCases)
    func addTakesEffectNextBlock(engine: LedgerEngine) async throws {
        let ledger = try await engine.make(fixture: fixture)
        let store = ledger.store
        try await produce(store, key: fixture.producer, batch: 0)
        await #expect(throws: BlockRejection.producer(second.publicKey.validatorID, reason: "is not in the validator set")) {
            try await produce(store, key: second, batch: 1)
        }
        let change = try await store.changeValidators(.add(secondValidator), requestedBy: "alice")
        #expect(change.effectiveHeight == 2 && change.action == .add && change.seq == 1)
        #expect(change.validator == secondValidator && change.requestedBy == "alice" && change.time == LedgerFixture.now)
        #expect(try await produce(store, key: second, batch: 1).height == 2)
        #expect(try await produce(store, key: fixture.producer, batch: 2).height == 3, "the genesis validator stays in the set")

        if let sqlite = ledger.sqlite {  // the schedule the SQLite store appends by
            let schedule = await sqlite.validatorSchedule
            #expect(schedule.standing(of: second.publicKey.validatorID, at: 1) == .notYetAdded(from: 2))
            #expect(schedule.active(at: 1).map(\.id) == [firstID])
            #expect(Set(schedule.active(at: 2).map(\.id)) == [firstID, second.publicKey.validatorID])
        }
        await ledger.stop()
    }

    @Test("a removed key's next block is refused by the producer check; its earlier blocks stay valid", arguments: LedgerEngine.allCases)
    func removeTakesEffectNextBlock(engine: LedgerEngine) async throws {
        let ledger = try await engine.make(fixture: fixture)
        let store = ledger.store
        try await store.changeValidators(.add(secondValidator), requestedBy: "alice")
        try await produce(store, key: fixture.producer, batch: 0)
        let removal = try await store.changeValidators(.remove(id: firstID), requestedBy: "bob")
        #expect(removal.effectiveHeight == 2 && removal.validator == fixture.validators[0])
        let tip = try await store.reader.head().header
        await #expect(throws: BlockRejection.producer(firstID, reason: "was removed from the validator set at height 2")) {
            try await produce(store, key: fixture.producer, batch: 1)
        }
        #expect(try await store.reader.head().header == tip, "the refused block changed nothing")
        #expect(try await produce(store, key: second, batch: 1).height == 2)
        #expect(try await ledger.audit().get().height == 2)
        await ledger.stop()
    }

    @Test("conflicting changes are refused and record nothing", arguments: LedgerEngine.allCases)
    func refusals(engine: LedgerEngine) async throws {
        let ledger = try await engine.make(fixture: fixture)
        let store = ledger.store
        let unknown = LedgerKey(generatingNamed: "nobody").publicKey.validatorID
        await #expect(throws: ValidatorChangeError.lastValidator(id: firstID)) {
            try await store.changeValidators(.remove(id: firstID), requestedBy: "alice")
        }
        await #expect(throws: ValidatorChangeError.alreadyActive(id: firstID)) {
            try await store.changeValidators(.add(Validator(name: "again", publicKey: fixture.producer.publicKey)), requestedBy: "alice")
        }
        await #expect(throws: ValidatorChangeError.notActive(id: unknown, removedHeight: nil)) {
            try await store.changeValidators(.remove(id: unknown), requestedBy: "alice")
        }
        #expect(try await store.reader.validatorChanges(limit: 100).isEmpty)

        try await store.changeValidators(.add(secondValidator), requestedBy: "alice")
        await #expect(throws: ValidatorChangeError.alreadyActive(id: second.publicKey.validatorID), "a pending addition counts as active") {
            try await store.changeValidators(.add(secondValidator), requestedBy: "alice")
        }
        try await store.changeValidators(.remove(id: firstID), requestedBy: "alice")
        await #expect(throws: ValidatorChangeError.notActive(id: firstID, removedHeight: 1)) {
            try await store.changeValidators(.remove(id: firstID), requestedBy: "alice")
        }
        await #expect(throws: ValidatorChangeError.previouslyRemoved(id: firstID, height: 1)) {
            try await store.changeValidators(.add(fixture.validators[0]), requestedBy: "alice")
        }
        await #expect(throws: ValidatorChangeError.lastValidator(id: second.publicKey.validatorID)) {
            try await store.changeValidators(.remove(id: second.publicKey.validatorID), requestedBy: "alice")
        }
        #expect(try await store.reader.validatorChanges(limit: 100).map(\.seq) == [2, 1], "only the two accepted changes, newest first")
        await ledger.stop()
    }

    @Test("changes are durable: a reopened store keeps the terms and still refuses the removed key", arguments: LedgerEngine.allCases)
    func durable(engine: LedgerEngine) async throws {
        let ledger = try await engine.make(fixture: fixture)
        do {
            let store = ledger.store
            try await store.changeValidators(.add(secondValidator), requestedBy: "alice")
            try await produce(store, key: second, batch: 0)
            try await store.changeValidators(.remove(id: firstID), requestedBy: "alice")
        }
        let reopened = try await ledger.reopen()
        await #expect(throws: BlockRejection.self) { try await produce(reopened, key: fixture.producer, batch: 1) }
        #expect(try await produce(reopened, key: second, batch: 1).height == 2)
        let records = try await reopened.reader.validators()
        let first = try #require(records.first { $0.validator.id == firstID })
        let added = try #require(records.first { $0.validator.id == second.publicKey.validatorID })
        #expect(first.addedHeight == 0 && first.removedHeight == 2 && !first.isActive)
        #expect(added.addedHeight == 1 && added.removedHeight == nil && added.isActive)
        #expect(try await reopened.reader.validatorChanges(limit: 1).map(\.action) == [.remove])
        #expect(try await reopened.reader.block(height: 0)?.header == Genesis.header(validators: fixture.validators), "genesis is unchanged")
        await ledger.stop()
    }

    @Test("an addition and a removal at the same height replay in either order from the listed terms")
    func scheduleFromTerms() throws {
        let third = Validator(name: "vp-3", publicKey: LedgerKey(generatingNamed: "vp-3").publicKey)
        var recorded = ValidatorSchedule(genesis: fixture.validators)
        try recorded.apply(.add(secondValidator), at: 3)
        try recorded.apply(.remove(id: firstID), at: 3)
        try recorded.apply(.add(third), at: 5)
        try recorded.apply(.remove(id: third.id), at: 5)
        let later = recorded.terms.values.filter { $0.addedHeight > 0 || $0.removedHeight != nil }
        let rebuilt = try ValidatorSchedule(genesis: fixture.validators, laterTerms: Array(later))
        for height in UInt64(0)...6 {
            #expect(rebuilt.active(at: height) == recorded.active(at: height), "height \(height)")
        }
        #expect(rebuilt.standing(of: third.id, at: 5) == .removed(at: 5))
        #expect(throws: ValidatorChangeError.outOfOrder(height: 4, previous: 5)) { try recorded.apply(.add(third), at: 4) }
    }
}
