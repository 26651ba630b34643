/// A ledger transaction: the record that one artifact was accepted, by whom, when, and what the
/// pipeline made of it.
///
/// Its identity is `txHash = SHA-256(canonical JSON bytes)`; its log-tree leaf is
/// `SHA-256(0x00 || canonical bytes)`. Construction validates every field, so a value of this
/// type is always a valid transaction.
public struct LedgerTransaction: Sendable, Equatable {
    /// Canonical encoding size limit; a transaction is a summary, not the artifact. 64 KiB less
    /// one byte: a tiled log's entry bundle prefixes each entry with its length as a 16-bit
    /// number (c2sp.org/tlog-tiles).
    public static let maxBytes = Int(UInt16.max)
    public static let maxPreviewCharacters = 5_000
    public static let maxArtifactBytes = 100 * 1024 * 1024

    public let value: JSONValue
    public let canonical: [UInt8]
    public let hash: MerkleHash
    /// The artifact's SHA-256.
    public let artifactDigest: MerkleHash

    /// The artifact's SHA-256 (lowercase hex).
    public var artifactSHA256: String { artifactDigest.hex }
    public var jobID: String { value["jobId"]?.stringValue ?? "" }
    /// The JWT `sub` of whoever submitted the artifact.
    public var submitter: String { value["submitter"]?.stringValue ?? "" }

    /// The longest `submitter`, in characters.
    public static let maxSubmitterCharacters = 256

    /// Whether `subject` may be a transaction's `submitter`: 1 to ``maxSubmitterCharacters``
    /// characters. The gateway refuses a token whose `sub` breaks it, and `nsctl token create`
    /// will not mint one, so a job is never accepted that the ledger would refuse.
    public static func isValidSubmitter(_ subject: String) -> Bool {
        !subject.isEmpty && TransactionRules.characters(subject, atMost: maxSubmitterCharacters)
    }

    /// Whether `id` may be a transaction's `jobId`: 1 to 128 of `A-Z a-z 0-9 _ -`. Routes that look
    /// a transaction up by job id refuse anything else before asking the ledger.
    public static func isValidJobID(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count) && id.utf8.allSatisfy(TransactionRules.isURLSafe)
    }

    /// The log-tree leaf, computed once with the hash: block validation needs it for every
    /// transaction, and computing it where transactions are parsed spreads it over the cores.
    public let leafHash: MerkleHash

    /// Validates `value` as a transaction. `pointer` prefixes field pointers in errors (e.g. `/3` for
    /// the fourth element of a batch).
    public init(_ value: JSONValue, pointer: String = "") throws(TransactionError) {
        try self.init(value, canonicalBytes: nil, pointer: pointer)
    }

    /// Validates `value`; `canonicalBytes`, when given, must be exactly `CanonicalJSON.encode(value)`
    /// (as ``CanonicalJSON/decodeNotingCanonical(_:)`` establishes) and are kept instead of
    /// encoding the value again.
    public init(_ value: JSONValue, canonicalBytes: [UInt8]?, pointer: String = "") throws(TransactionError) {
        try TransactionRules.validate(value, pointer: pointer)
        self.value = value
        self.canonical = canonicalBytes ?? CanonicalJSON.encode(value)
        guard canonical.count <= Self.maxBytes else {
            throw TransactionError(pointer: pointer, reason: "is \(canonical.count) bytes; the limit is \(Self.maxBytes)")
        }
        self.hash = .sha256(canonical)
        self.leafHash = MerkleTree.leafHash(canonical)
        // Validated above as 64 lowercase hex digits.
        self.artifactDigest = MerkleHash(hex: value["artifact"]?["sha256"]?.stringValue ?? "")!
    }

    /// Parses and validates a transaction from JSON bytes.
    public init(bytes: some Collection<UInt8>) throws(TransactionError) {
        let value: JSONValue
        do {
            value = try CanonicalJSON.decode(bytes)
        } catch {
            throw TransactionError(pointer: "", reason: error.description)
        }
        try self.init(value)
    }

    /// Builds a transaction from its parts (vp-node and tests).
    public static func make(artifactSHA256: String, artifactSize: Int64, submitter: String, jobID: String,
                            metadata: [String: JSONValue] = [:], preview: String? = nil, previewSHA256: String? = nil,
                            sandbox: JSONValue? = nil, timeMs: Int64) throws(TransactionError) -> LedgerTransaction {
        var fields: [String: JSONValue] = [
            "v": 1,
            "artifact": ["sha256": .string(artifactSHA256), "size": .int(artifactSize)],
            "submitter": .string(submitter),
            "jobId": .string(jobID),
            "metadata": .object(metadata),
            "time": .int(timeMs),
        ]
        if let preview { fields["preview"] = .string(preview) }
        if let previewSHA256 { fields["previewSha256"] = .string(previewSHA256) }
        if let sandbox { fields["sandbox"] = sandbox }
        return try LedgerTransaction(.object(fields))
    }
}

/// A transaction field that breaks a rule, located by JSON pointer.
public struct TransactionError: Error, Equatable, Sendable, CustomStringConvertible {
    public let pointer: String
    public let reason: String

    public init(pointer: String, reason: String) {
        self.pointer = pointer
        self.reason = reason
    }

    public var description: String { "\(pointer.isEmpty ? "transaction" : pointer) \(reason)" }
}
