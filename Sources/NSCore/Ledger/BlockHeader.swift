/// A block header: `height, prevHash, time, txRoot, logSize, logRoot, producer, signature`.
///
/// The producer signs, with Ed25519, the domain tag `neuroswarm-block-v1\n` followed by the
/// canonical JSON of every other field; the block hash is SHA-256 of the canonical JSON of the
/// whole header, signature included, and is what the next block's `prevHash` names.
public struct BlockHeader: Sendable, Equatable {
    public static let signingDomain = Array("neuroswarm-block-v1\n".utf8)

    public var height: UInt64
    public var prevHash: MerkleHash
    /// Unix milliseconds.
    public var time: Int64
    /// RFC 6962 root over this block's transaction leaves.
    public var txRoot: MerkleHash
    /// Size of the global log tree after this block.
    public var logSize: UInt64
    public var logRoot: MerkleHash
    /// The producing validator's id (``LedgerPublicKey/validatorID``), or `genesis`.
    public var producer: String
    public var signature: [UInt8]

    public init(height: UInt64, prevHash: MerkleHash, time: Int64, txRoot: MerkleHash, logSize: UInt64, logRoot: MerkleHash,
                producer: String, signature: [UInt8] = []) {
        self.height = height
        self.prevHash = prevHash
        self.time = time
        self.txRoot = txRoot
        self.logSize = logSize
        self.logRoot = logRoot
        self.producer = producer
        self.signature = signature
    }

    var unsignedFields: [String: JSONValue] {
        [
            "height": .int(Int64(height)), "prevHash": .string(prevHash.hex), "time": .int(time),
            "txRoot": .string(txRoot.hex), "logSize": .int(Int64(logSize)), "logRoot": .string(logRoot.hex),
            "producer": .string(producer),
        ]
    }

    /// The bytes the producer signs.
    public var signingBytes: [UInt8] { Self.signingDomain + CanonicalJSON.encode(.object(unsignedFields)) }

    /// The header as JSON, signature in base64.
    public var json: JSONValue {
        var fields = unsignedFields
        fields["signature"] = .string(Base64.encode(signature))
        return .object(fields)
    }

    public var hash: MerkleHash { .sha256(CanonicalJSON.encode(json)) }

    public mutating func sign(with key: LedgerKey) {
        signature = key.sign(signingBytes)
    }

    public func hasValidSignature(by key: LedgerPublicKey) -> Bool {
        key.isValidSignature(signature, for: signingBytes)
    }

    /// Reads a header from JSON; every field must be present and well-formed.
    public init(json: JSONValue) throws(TransactionError) {
        func field(_ name: String) throws(TransactionError) -> JSONValue {
            guard let value = json[name] else { throw TransactionError(pointer: "/\(name)", reason: "is required") }
            return value
        }
        func hash(_ name: String) throws(TransactionError) -> MerkleHash {
            guard let text = try field(name).stringValue, Hex.isLowercase(text, byteCount: 32), let value = MerkleHash(hex: text) else {
                throw TransactionError(pointer: "/\(name)", reason: "must be 64 lowercase hex digits")
            }
            return value
        }
        func count(_ name: String) throws(TransactionError) -> UInt64 {
            guard let value = try field(name).intValue, value >= 0 else { throw TransactionError(pointer: "/\(name)", reason: "must be a whole number ≥ 0") }
            return UInt64(value)
        }
        guard let time = try field("time").intValue else { throw TransactionError(pointer: "/time", reason: "must be Unix milliseconds") }
        guard let producer = try field("producer").stringValue, (1...64).contains(producer.utf8.count) else {
            throw TransactionError(pointer: "/producer", reason: "must be a validator id")
        }
        guard let signatureText = try field("signature").stringValue, let signature = Base64.decode(signatureText) else {
            throw TransactionError(pointer: "/signature", reason: "must be base64")
        }
        self.init(height: try count("height"), prevHash: try hash("prevHash"), time: time, txRoot: try hash("txRoot"),
                  logSize: try count("logSize"), logRoot: try hash("logRoot"), producer: producer, signature: signature)
    }
}
