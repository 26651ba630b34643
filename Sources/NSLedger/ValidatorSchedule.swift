import NSCore

/// Which validators may produce the block at each height: the genesis set plus every recorded
/// change, each validator holding one term `[addedHeight, removedHeight)`.
///
/// The store (appending), the offline audit (replaying `validator_changes`) and the online audit
/// (reading `GET /v1/validators`) all build this one type, so a change is judged and a block's
/// producer is looked up by the same rules everywhere.
public struct ValidatorSchedule: Sendable, Equatable {
    /// One validator's time in the set.
    public struct Term: Sendable, Equatable {
        public let validator: Validator
        public let addedHeight: UInt64
        /// The first height it may no longer produce; nil while it stays in the set.
        public fileprivate(set) var removedHeight: UInt64?

        public init(validator: Validator, addedHeight: UInt64, removedHeight: UInt64? = nil) {
            self.validator = validator
            self.addedHeight = addedHeight
            self.removedHeight = removedHeight
        }

        public func isActive(at height: UInt64) -> Bool {
            height >= addedHeight && removedHeight.map { height < $0 } ?? true
        }
    }

    /// Where a producer id stands at a height, for the `producer` check and its message.
    public enum Standing: Sendable, Equatable {
        case active(Validator)
        case unknown
        case notYetAdded(from: UInt64)
        case removed(at: UInt64)

        /// Why a block by this producer is refused, completing "producer <id> ...".
        public var reason: String {
            switch self {
            case .active: "is an active validator"
            case .unknown: "is not in the validator set"
            case .notYetAdded(let height): "joins the validator set only at height \(height)"
            case .removed(let height): "was removed from the validator set at height \(height)"
            }
        }
    }

    /// The set genesis commits to (its `prevHash`), in the order it was configured.
    public let genesis: [Validator]
    public private(set) var terms: [String: Term]
    /// The effective height of the latest change (0 with none): later changes may not go below it.
    public private(set) var latestChangeHeight: UInt64 = 0

    public init(genesis: [Validator]) {
        self.genesis = genesis
        terms = Dictionary(genesis.map { ($0.id, Term(validator: $0, addedHeight: 0)) }, uniquingKeysWith: { first, _ in first })
    }

    /// Rebuilds a schedule from terms as `GET /v1/validators` lists them, checking them with the
    /// same rules as when they were recorded. Additions at a height go before removals at it, the
    /// one order in which a valid history always replays (an add and a remove at the same height
    /// may have been requested either way round).
    public init(genesis: [Validator], laterTerms: [Term]) throws(ValidatorChangeError) {
        self.init(genesis: genesis)
        var steps: [(height: UInt64, order: Int, request: ValidatorChange.Request)] = []
        for term in laterTerms {
            if term.addedHeight > 0 { steps.append((term.addedHeight, 0, .add(term.validator))) }
            if let removed = term.removedHeight { steps.append((removed, 1, .remove(id: term.validator.id))) }
        }
        for step in steps.sorted(by: { ($0.height, $0.order) < ($1.height, $1.order) }) {
            try apply(step.request, at: step.height)
        }
    }

    /// Where `id` stands for the block at `height`.
    public func standing(of id: String, at height: UInt64) -> Standing {
        guard let term = terms[id] else { return .unknown }
        if term.isActive(at: height) { return .active(term.validator) }
        if height < term.addedHeight { return .notYetAdded(from: term.addedHeight) }
        return .removed(at: term.removedHeight ?? height)  // not active and not before its term: its term has ended
    }

    /// The validators that may produce the block at `height`, ordered by id.
    public func active(at height: UInt64) -> [Validator] {
        terms.values.filter { $0.isActive(at: height) }.map(\.validator).sorted { $0.id < $1.id }
    }

    /// Checks `request` against the set and records it as taking effect at `height`; returns the
    /// validator it concerns. On error nothing changes.
    ///
    /// "Active" here means without a removal recorded: every earlier change takes effect at or
    /// below `height`, so that is exactly the set governing `height`, including additions not yet
    /// effective at the current tip.
    @discardableResult
    public mutating func apply(_ request: ValidatorChange.Request, at height: UInt64) throws(ValidatorChangeError) -> Validator {
        guard height >= latestChangeHeight, height > 0 else { throw .outOfOrder(height: height, previous: latestChangeHeight) }
        switch request {
        case .add(let validator):
            if let existing = terms[validator.id] {
                if let removed = existing.removedHeight { throw .previouslyRemoved(id: validator.id, height: removed) }
                throw .alreadyActive(id: validator.id)
            }
            terms[validator.id] = Term(validator: validator, addedHeight: height)
            latestChangeHeight = height
            return validator
        case .remove(let id):
            guard var term = terms[id] else { throw .notActive(id: id, removedHeight: nil) }
            if let removed = term.removedHeight { throw .notActive(id: id, removedHeight: removed) }
            guard terms.values.contains(where: { $0.removedHeight == nil && $0.validator.id != id }) else { throw .lastValidator(id: id) }
            term.removedHeight = height
            terms[id] = term
            latestChangeHeight = height
            return term.validator
        }
    }
}
