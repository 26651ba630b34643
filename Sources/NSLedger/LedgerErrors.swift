import NSCore

/// Why `POST /blocks/produce` refused a block. Each case names the rule it broke; the block
/// changed nothing.
public enum BlockRejection: Error, Equatable, Sendable, CustomStringConvertible {
    /// `height` is not tip + 1 (another producer was first, or the producer is behind).
    case height(expected: UInt64, got: UInt64)
    /// `prevHash` is not the hash of the block before it.
    case prevHash
    /// `time` is before the previous block's time or too far in the future.
    case time(String)
    /// `producer` is not in the validator set active at the block's height; `reason` says whether
    /// it is unknown, joins later or was removed.
    case producer(String, reason: String)
    /// The signature does not verify with the producer's key.
    case signature
    /// The block carries no transactions, or more than the limit.
    case txCount(String)
    /// A transaction is malformed or invalid.
    case tx(index: Int, reason: String)
    /// A transaction appears twice in the block or is already committed.
    case duplicateTx(index: Int, txHash: String)
    case txRoot
    case logSize(expected: UInt64, got: UInt64)
    case logRoot
    /// The body is not a block at all.
    case malformed(String)
    /// The ledger could not read or write its database; nothing changed, retry later.
    case unavailable(String)

    /// The ``BlockRule`` the block broke; nil when it was not a block at all or not judged.
    public var rule: BlockRule? {
        switch self {
        case .height: .height
        case .prevHash: .prevHash
        case .time: .time
        case .producer: .producer
        case .signature: .signature
        case .txCount: .txCount
        case .tx: .tx
        case .duplicateTx: .duplicateTx
        case .txRoot: .txRoot
        case .logSize: .logSize
        case .logRoot: .logRoot
        case .malformed, .unavailable: nil
        }
    }

    /// The check's name, as the problem type and tests use it: the rule's name, or `malformed`,
    /// or `unavailable`.
    public var check: String {
        if let rule { return rule.rawValue }
        if case .malformed = self { return "malformed" }
        return "unavailable"
    }

    /// Conflicts with the current tip (the producer should rebuild on it) rather than a bad block.
    public var isConflict: Bool {
        switch self {
        case .height, .prevHash: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .height(let expected, let got): "height \(got) is not the next height \(expected)"
        case .prevHash: "prevHash is not the hash of the block before it"
        case .time(let reason): "time \(reason)"
        case .producer(let id, let reason): "producer \(id) \(reason)"
        case .signature: "the producer's signature does not verify"
        case .txCount(let reason): reason
        case .tx(let index, let reason): "transaction \(index) \(reason)"
        case .duplicateTx(let index, let hash): "transaction \(index) (\(hash)) is already committed or repeated in the block"
        case .txRoot: "txRoot does not match the block's transactions"
        case .logSize(let expected, let got): "logSize \(got) should be \(expected)"
        case .logRoot: "logRoot does not match the log tree after this block"
        case .malformed(let reason): reason
        case .unavailable(let reason): "the ledger is unavailable: \(reason)"
        }
    }
}

/// Failures of the ledger store other than a rejected block.
public enum LedgerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The mempool holds `MEMPOOL_MAX` transactions; retry once blocks have drained it.
    case mempoolFull(limit: Int)
    /// A proof or lookup asked for a tree size beyond the log, or an index beyond the size.
    case outOfRange(String)
    case notFound(String)
    /// SQLite failed (disk full, I/O error); the operation changed nothing.
    case storage(String)

    public var description: String {
        switch self {
        case .mempoolFull(let limit): "the mempool is full (\(limit) transactions)"
        case .outOfRange(let reason): reason
        case .notFound(let what): "\(what) not found"
        case .storage(let reason): "storage failure: \(reason)"
        }
    }
}
