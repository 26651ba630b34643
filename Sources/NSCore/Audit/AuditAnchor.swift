/// The ledger transaction in which admin-node anchors the head of its audit trail, so that a
/// trail whose newest entries were cut off (or that was emptied) no longer verifies.
///
/// The hash chain (``AuditChain``) shows any entry changed, removed or reordered *before* the
/// last one still stored, but not entries cut from the end. The anchor records the newest
/// entry's sequence number and hash where admin-node's database cannot rewrite it: an ordinary
/// ledger transaction, accepted only with the internal token and, once in a block, covered by the
/// producer's signature and ns-node's checkpoints like any other. The ledger has no per-transaction
/// signatures; what marks a transaction as an anchor is its job id, which no client job can carry
/// (queued jobs are `job_…`), and its submitter.
///
/// The fields, within the ledger's ordinary rules:
/// - `jobId` ``jobID``, so ns-node's lookup by job id finds the newest anchor;
/// - `submitter` ``submitter``;
/// - `artifact`: the head entry itself: `sha256` is its hash (``AuditEntry/computedHash``, the
///   SHA-256 of its canonical bytes) and `size` the length of those bytes, so
///   `GET /v1/artifacts/{hash}` also finds the anchor of a given entry;
/// - `metadata`: `{"kind": "audit-head", "auditSeq": <sequence>}`;
/// - `preview`: one line saying what it is; `time`: the head entry's own time, so every
///   admin-node anchoring one head (several over one database) builds the same transaction, with
///   the same hash, which ns-node holds once.
public enum AuditAnchor {
    /// The job id of every anchor: ns-node answers the newest transaction recording it.
    public static let jobID = "audit-head-admin-node"
    public static let submitter = "admin-node"
    public static let kind = "audit-head"

    /// An anchored head as found in the ledger.
    public struct Anchored: Sendable, Equatable {
        /// The anchored entry's sequence number.
        public let sequence: Int64
        /// The anchored entry's hash (hex).
        public let hash: String
        /// The transaction's `time` (Unix milliseconds): the anchored entry's own time (anchors
        /// made by earlier versions carry the time admin-node anchored it).
        public let time: Int64
        public let txHash: String
        /// The block holding it; `nil` while it waits in the mempool.
        public let blockHeight: Int64?

        public init(sequence: Int64, hash: String, time: Int64, txHash: String, blockHeight: Int64?) {
            self.sequence = sequence
            self.hash = hash
            self.time = time
            self.txHash = txHash
            self.blockHeight = blockHeight
        }

        /// `entry 57 (anchored 2026-11-22T10:57:57.123Z, block 12)`.
        public var summary: String {
            "entry \(sequence) (anchored \(LogTimestamp.format(unixMs: time)), \(blockHeight.map { "block \($0)" } ?? "in the mempool"))"
        }
    }

    /// The anchor of `head` as admin-node submits it: stamped with the entry's own time, so that
    /// two admin-nodes anchoring one head build the same bytes (and the same transaction hash).
    public static func transaction(for head: AuditEntry) throws(TransactionError) -> LedgerTransaction {
        try transaction(for: head, timeMs: head.time)
    }

    /// The anchor of `head`, anchored at `timeMs`.
    public static func transaction(for head: AuditEntry, timeMs: Int64) throws(TransactionError) -> LedgerTransaction {
        try LedgerTransaction.make(artifactSHA256: head.hash, artifactSize: Int64(head.canonicalBytes.count), submitter: submitter, jobID: jobID,
                                   metadata: ["kind": .string(kind), "auditSeq": .int(head.sequence)],
                                   preview: "admin-node audit trail head: entry \(head.sequence)", timeMs: timeMs)
    }

    /// The anchored head in ns-node's answer to `GET /v1/jobs/{jobId}/tx` (committed, or pending
    /// with `"pending": true`); `nil` when the answer is not an anchor: another job id or
    /// submitter, or fields missing.
    public static func anchored(inLookup answer: JSONValue) -> Anchored? {
        let tx = answer["tx"]
        guard tx?["jobId"]?.stringValue == jobID, tx?["submitter"]?.stringValue == submitter,
              tx?["metadata"]?["kind"]?.stringValue == kind,
              let sequence = tx?["metadata"]?["auditSeq"]?.intValue, sequence >= 1,
              let hash = tx?["artifact"]?["sha256"]?.stringValue, let time = tx?["time"]?.intValue,
              let txHash = answer["txHash"]?.stringValue
        else { return nil }
        let pending = answer["pending"] == .bool(true)
        let height = answer["blockHeight"]?.intValue
        guard pending || height != nil else { return nil }
        return Anchored(sequence: sequence, hash: hash, time: time, txHash: txHash, blockHeight: pending ? nil : height)
    }
}

/// Compares an audit trail with the newest head anchored in the ledger (``AuditAnchor``): the
/// one check both `nsctl audit verify` and admin-node (before it anchors again) make.
///
/// Since every entry's hash covers the one before it, a trail that still holds the anchored
/// entry with the anchored hash still holds, unchanged, every entry up to it; the chain check
/// (``AuditChain``) covers the rest.
public enum AuditAnchorCheck {
    /// How the trail falls short of the anchored head, in words an operator can act on.
    public struct Finding: Error, Sendable, Equatable, CustomStringConvertible {
        /// The anchored sequence numbers the trail lacks (`nil` when the entry is there but differs).
        public let missing: ClosedRange<Int64>?
        public let description: String
    }

    /// What is wrong with a trail ending at `trailEnd` (0: empty) whose entry with the anchored
    /// sequence number has the hash `hashAtAnchored` (`nil`: the trail lacks it), or `nil` when
    /// it holds the anchored head.
    public static func finding(anchored: AuditAnchor.Anchored, trailEnd: Int64, hashAtAnchored: String?) -> Finding? {
        let at = LogTimestamp.format(unixMs: anchored.time)
        if trailEnd < anchored.sequence {
            let first = trailEnd + 1
            let range = first == anchored.sequence ? "entry \(first) is" : "entries \(first)-\(anchored.sequence) are"
            let end = trailEnd == 0 ? "the trail is empty" : "the trail ends at \(trailEnd)"
            return Finding(missing: first...anchored.sequence,
                           description: "\(range) missing: the ledger anchored head \(anchored.sequence) at \(at), \(end)")
        }
        guard let hashAtAnchored else {
            return Finding(missing: anchored.sequence...anchored.sequence,
                           description: "entry \(anchored.sequence) is missing: the ledger anchored it as the head at \(at), and the trail lacks it")
        }
        guard hashAtAnchored == anchored.hash else {
            return Finding(missing: nil, description: "entry \(anchored.sequence) is not the one the ledger anchored as the head at \(at) "
                           + "(its hash differs): the trail was cut and rewritten at or before it")
        }
        return nil
    }
}
