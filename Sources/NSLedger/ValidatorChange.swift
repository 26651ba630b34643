import NSCore

/// One recorded change of the validator set: who asked, what changed, and the first block height
/// it governs.
///
/// Changes live in ns-node's database (`validator_changes`), not inside blocks, so a block's
/// header stays exactly what the producer signed and genesis stays deterministic. The price is
/// that an audit of the chain trusts that table for which keys were entitled to produce when.
public struct ValidatorChange: Sendable, Equatable {
    public enum Action: String, Sendable, Equatable {
        case add, remove
    }

    /// What an administrator asks for. A removal names the validator by id; the key and name
    /// recorded with it come from the set, so the log says who was removed, not just an id.
    public enum Request: Sendable, Equatable {
        case add(Validator)
        case remove(id: String)

        public var action: Action {
            switch self {
            case .add: .add
            case .remove: .remove
            }
        }
    }

    /// Position in the change log (1, 2, ...): the order changes were accepted and are replayed in.
    public let seq: Int64
    public let action: Action
    public let validator: Validator
    /// The first block height governed by the change: the tip's height + 1 when it was accepted.
    /// Blocks at lower heights keep the set they were produced under.
    public let effectiveHeight: UInt64
    public let requestedBy: String
    /// Unix milliseconds when ns-node accepted the change.
    public let time: Int64

    public init(seq: Int64, action: Action, validator: Validator, effectiveHeight: UInt64, requestedBy: String, time: Int64) {
        self.seq = seq
        self.action = action
        self.validator = validator
        self.effectiveHeight = effectiveHeight
        self.requestedBy = requestedBy
        self.time = time
    }

    /// The request this change carried out, for replaying the log into a ``ValidatorSchedule``.
    public var request: Request {
        switch action {
        case .add: .add(validator)
        case .remove: .remove(id: validator.id)
        }
    }
}

/// Why a validator-set change was refused. Every case but `storage` is a conflict with the set as
/// it stands (HTTP 409): the request is well formed but would leave the set inconsistent.
public enum ValidatorChangeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The key is already in the set (or joins it with the next block).
    case alreadyActive(id: String)
    /// The key was removed earlier. Re-adding is refused so that each validator has one
    /// contiguous term, which keeps the set at any height a simple function of the records; a
    /// returning operator uses a new key.
    case previouslyRemoved(id: String, height: UInt64)
    /// The id names no validator of the set (`removedHeight` when it was removed already).
    case notActive(id: String, removedHeight: UInt64?)
    /// Removing it would leave no validator, and no block could ever be produced again.
    case lastValidator(id: String)
    /// A recorded change takes effect before the one preceding it; only a tampered or corrupt
    /// log has this, since ns-node always records at the tip's height + 1.
    case outOfOrder(height: UInt64, previous: UInt64)
    /// The database could not record the change; nothing changed, retry later.
    case storage(String)

    /// The problem type slug under `https://neuroswarm.dev/problems/`.
    public var slug: String {
        switch self {
        case .alreadyActive: "validator-already-active"
        case .previouslyRemoved: "validator-previously-removed"
        case .notActive: "validator-not-active"
        case .lastValidator: "last-validator"
        case .outOfOrder: "validator-change-out-of-order"
        case .storage: "unavailable"
        }
    }

    public var description: String {
        switch self {
        case .alreadyActive(let id): "validator \(id) is already in the active validator set"
        case .previouslyRemoved(let id, let height):
            "validator \(id) was removed at height \(height); a removed key cannot be added again, register a new key"
        case .notActive(let id, let removed):
            removed.map { "validator \(id) is not active: it was removed at height \($0)" } ?? "no validator \(id) is in the set"
        case .lastValidator(let id):
            "validator \(id) is the last active validator; removing it would stop the chain (add another validator first)"
        case .outOfOrder(let height, let previous): "a change at height \(height) is recorded after one at height \(previous)"
        case .storage(let reason): "the ledger is unavailable: \(reason)"
        }
    }
}
