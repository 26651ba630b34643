import Foundation

/// What an admin action is about: who did what to what, from where, with what outcome. The audit
/// log fills in its place in the chain (``AuditEntry``).
public struct AuditEvent: Sendable, Equatable {
    /// The signed-in user's `sub`, or what a failed sign-in claimed (`-` when nothing).
    public var actor: String
    /// `viewer`, `operator`, `admin`, or `-` before sign-in.
    public var role: String
    /// The client address the request came from.
    public var source: String
    /// `sign-in`, `sign-out`, `sign-in-failed`, `forbidden`, `dlq-retry`, `validator-add`, ...
    public var action: String
    /// What the action was applied to (a job id, a validator, a route).
    public var target: String
    /// `ok`, `denied`, `failed: <reason>`.
    public var outcome: String
    public var correlationID: String

    public init(actor: String, role: String, source: String, action: String, target: String, outcome: String, correlationID: String) {
        self.actor = actor
        self.role = role
        self.source = source
        self.action = action
        self.target = target
        self.outcome = outcome
        self.correlationID = correlationID
    }
}

/// One line of admin-node's audit trail: an ``AuditEvent`` (whose fields read as the entry's own,
/// `entry.actor`) at its place in the chain.
///
/// Entries are chained: each stores the hash of the one before it, and its own hash covers its
/// fields and that link, so changing, deleting or reordering any stored entry breaks the chain
/// at that entry (``AuditChain/firstBreak(in:)``).
@dynamicMemberLookup
public struct AuditEntry: Sendable, Equatable {
    /// 1, 2, 3, ... in append order.
    public var sequence: Int64
    /// Unix milliseconds.
    public var time: Int64
    public var event: AuditEvent
    /// The previous entry's hash (64 zeros for the first).
    public var previousHash: String
    public var hash: String

    public init(sequence: Int64, time: Int64, event: AuditEvent, previousHash: String, hash: String = "") {
        self.sequence = sequence
        self.time = time
        self.event = event
        self.previousHash = previousHash
        self.hash = hash
    }

    public init(sequence: Int64, time: Int64, actor: String, role: String, source: String, action: String, target: String,
                outcome: String, correlationID: String, previousHash: String, hash: String = "") {
        self.init(sequence: sequence, time: time,
                  event: AuditEvent(actor: actor, role: role, source: source, action: action, target: target, outcome: outcome,
                                    correlationID: correlationID),
                  previousHash: previousHash, hash: hash)
    }

    public subscript<Field>(dynamicMember field: WritableKeyPath<AuditEvent, Field>) -> Field {
        get { event[keyPath: field] }
        set { event[keyPath: field] = newValue }
    }

    /// The canonical JSON the hash covers: every field but `hash` itself.
    public var canonicalBytes: [UInt8] {
        CanonicalJSON.encode([
            "seq": .int(sequence), "time": .int(time), "actor": .string(event.actor), "role": .string(event.role),
            "source": .string(event.source), "action": .string(event.action), "target": .string(event.target),
            "outcome": .string(event.outcome), "correlationId": .string(event.correlationID), "prev": .string(previousHash),
        ])
    }

    /// SHA-256 of ``canonicalBytes``, hex.
    public var computedHash: String { MerkleHash.sha256(canonicalBytes).hex }

    public var json: JSONValue {
        .object([
            "seq": .int(sequence), "time": .string(LogTimestamp.format(unixMs: time)), "actor": .string(event.actor),
            "role": .string(event.role), "source": .string(event.source), "action": .string(event.action), "target": .string(event.target),
            "outcome": .string(event.outcome), "correlationId": .string(event.correlationID), "prevHash": .string(previousHash),
            "hash": .string(hash),
        ])
    }
}

/// Checks an audit trail's chain.
public enum AuditChain {
    public static let genesisHash = String(repeating: "0", count: 64)

    /// Where the chain first breaks, in sequence order, or `nil` when every entry links.
    public struct Break: Sendable, Equatable, CustomStringConvertible {
        public let sequence: Int64
        public let reason: String
        public var description: String { "entry \(sequence): \(reason)" }
    }

    /// Checks that the entries are numbered 1, 2, 3, ..., that each names the previous entry's
    /// hash, and that each hash matches its fields.
    public static func firstBreak(in entries: some Sequence<AuditEntry>) -> Break? {
        var expectedSequence: Int64 = 1
        var previous = genesisHash
        for entry in entries {
            if entry.sequence != expectedSequence {
                return Break(sequence: entry.sequence, reason: "expected entry \(expectedSequence) here (an entry was removed or reordered)")
            }
            if entry.previousHash != previous { return Break(sequence: entry.sequence, reason: "does not link to the entry before it") }
            if entry.computedHash != entry.hash { return Break(sequence: entry.sequence, reason: "its content does not match its hash (changed after it was written)") }
            previous = entry.hash
            expectedSequence += 1
        }
        return nil
    }
}
