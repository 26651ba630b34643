import Foundation
import GRDB
import NSCore

extension LedgerStore {
    /// The schedule of who may produce at each height, as the append path uses it.
    public var validatorSchedule: ValidatorSchedule { schedule }

    /// Records a change of the validator set taking effect at the tip's height + 1, and answers
    /// only once it committed.
    ///
    /// The height is fixed here, on the actor that also appends blocks, so no block can slip in
    /// between choosing it and recording it: the block at that height is judged by the new set,
    /// every block below it by the old one. A block being built by a removed producer at that
    /// moment is refused with `producer` and the producer moves on.
    ///
    /// Refused (nothing recorded): adding a key already in the set or removed before, removing an
    /// id not in the set, and removing the last validator, which would stop the chain for good.
    public func changeValidators(_ request: ValidatorChange.Request, requestedBy: String) throws(ValidatorChangeError) -> ValidatorChange {
        let height = tip.height + 1
        var next = schedule
        let validator = try next.apply(request, at: height)
        let pending = ValidatorChange(seq: 0, action: request.action, validator: validator, effectiveHeight: height,
                                      requestedBy: requestedBy, time: now())
        let seq: Int64
        do {
            seq = try pool.write { db in try ValidatorTables.record(pending, db: db) }
        } catch {
            throw .storage(Self.describe(error))
        }
        schedule = next
        return ValidatorChange(seq: seq, action: pending.action, validator: validator, effectiveHeight: height,
                               requestedBy: requestedBy, time: pending.time)
    }
}

/// A validator as `GET /v1/validators` lists it: its key and its term in the set.
public struct ValidatorRecord: Sendable, Equatable {
    public let validator: Validator
    public let addedHeight: Int64
    /// The first height it may no longer produce; nil while it stays in the set.
    public let removedHeight: Int64?

    public init(validator: Validator, addedHeight: Int64, removedHeight: Int64?) {
        self.validator = validator
        self.addedHeight = addedHeight
        self.removedHeight = removedHeight
    }

    /// Whether it may produce the next block: every recorded change governs the next block, so
    /// that is "no removal recorded" (an addition recorded at the tip counts already).
    public var isActive: Bool { removedHeight == nil }
}

extension LedgerReader {
    /// Every validator ever in the set, ordered by id.
    public func validators() throws -> [ValidatorRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM validators ORDER BY id").map {
                ValidatorRecord(validator: Validator(name: $0["name"], publicKey: LedgerPublicKey(raw: Array($0["public_key"] as Data))),
                                addedHeight: $0["added_height"], removedHeight: $0["removed_height"])
            }
        }
    }

    /// The latest `limit` recorded changes, newest first.
    public func validatorChanges(limit: Int) throws -> [ValidatorChange] {
        try pool.read { db in try ValidatorTables.changes(db, newestFirst: true, limit: limit) }
    }
}
