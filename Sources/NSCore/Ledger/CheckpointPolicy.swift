/// What a client requires of a checkpoint note before it trusts the tree: the log's own
/// signature by the pinned key under the expected origin, then every further check in
/// ``checks`` (witness cosignatures plug in there), each able to refuse the note.
public struct CheckpointPolicy: Sendable {
    /// The log's origin: the note's first line and the name of the log's signature.
    public let origin: String
    /// The log's checkpoint key, pinned by the operator (never taken from the log itself).
    public let logKey: LedgerPublicKey
    public var checks: [any CheckpointCheck]

    public init(origin: String, logKey: LedgerPublicKey, checks: [any CheckpointCheck] = []) {
        self.origin = origin
        self.logKey = logKey
        self.checks = checks
    }

    /// The checkpoint `note` signs when it passes every check; otherwise the first refusal.
    public func verify(_ note: String) throws(CheckpointRefusal) -> Checkpoint {
        let named = note.prefix(while: { $0 != "\n" })
        guard named == origin else {
            throw CheckpointRefusal("the checkpoint is for origin \"\(named.prefix(100))\", not \(origin)")
        }
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.verify(note: note, name: origin, publicKey: logKey)
        } catch {
            throw CheckpointRefusal(error.description + (error == .badSignature ? " with the pinned key" : ""))
        }
        for check in checks { try check.check(note: note, checkpoint: checkpoint) }
        return checkpoint
    }
}

/// One requirement on a checkpoint note whose log signature already verified (a number of
/// valid witness cosignatures, for one).
public protocol CheckpointCheck: Sendable {
    /// Returns when `note` (signed by the log as `checkpoint`) is acceptable; throws why not.
    func check(note: String, checkpoint: Checkpoint) throws(CheckpointRefusal)
}

/// Why a checkpoint note is not trusted, in words for an operator.
public struct CheckpointRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong: the note itself (malformed, another origin, not signed by the pinned key),
    /// or too few witnesses vouching for a note the log did sign. A monitor reports the two apart:
    /// the first is a bad log answer, the second a tree the witnesses have not seen (a split view).
    public enum Kind: Sendable, Equatable {
        case checkpoint
        case cosignatures
    }

    public let reason: String
    public let kind: Kind

    public init(_ reason: String, kind: Kind = .checkpoint) {
        self.reason = reason
        self.kind = kind
    }

    public var description: String { reason }
}
