/// Witness cosignatures of checkpoints (c2sp.org/tlog-cosignature, `cosignature/v1`, Ed25519).
///
/// A cosignature is one more signature line on a ``Checkpoint`` note:
///
/// ```
/// — <witness name> base64(4-byte key id || 8-byte big-endian timestamp || 64-byte Ed25519 signature)
/// ```
///
/// The key id is the first 4 bytes of SHA-256(name || 0x0A || 0x04 || public key); the signature
/// covers `cosignature/v1\ntime <timestamp>\n` followed by the whole note body. It states that,
/// at that time, this was the largest tree consistent with everything the witness saw of the log.
/// The witness signs with ``CosignerKey``; logs and clients check with ``CosignatureVerifier``.
public enum CosignatureV1 {
    /// The signed-note signature type of timestamped Ed25519 cosignatures.
    public static let signatureType: UInt8 = 0x04
    /// Key id, timestamp and signature: the decoded length of a cosignature.
    static let blobLength = 4 + 8 + 64

    /// The bytes the witness signs for a note `body` (its text up to and including the final
    /// newline before the blank line) at `timestamp` (POSIX seconds).
    public static func signedMessage(body: String, timestamp: UInt64) -> [UInt8] {
        Array("cosignature/v1\ntime \(timestamp)\n".utf8) + Array(body.utf8)
    }

    public static func keyID(name: String, publicKey: LedgerPublicKey) -> [UInt8] {
        Checkpoint.keyID(name: name, publicKey: publicKey, type: signatureType)
    }

    /// Whether `name` may name a signed-note key: non-empty, no spaces, no `+` (the vkey separator).
    public static func isValidKeyName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 255 && !name.contains(where: { $0.isWhitespace || $0 == "+" })
    }
}

/// A witness's signing key: its name (the signature line's key name) and its Ed25519 key.
/// `description` never shows the private part.
public struct CosignerKey: Sendable, CustomStringConvertible {
    public let name: String
    private let key: LedgerKey

    /// `name` must satisfy ``CosignatureV1/isValidKeyName(_:)``; the caller checks it (settings do).
    public init(name: String, key: LedgerKey) {
        self.name = name
        self.key = key
    }

    /// What clients pin to check this witness's cosignatures.
    public var verifier: CosignatureVerifier { CosignatureVerifier(name: name, publicKey: key.publicKey) }

    /// The signature line (ending in a newline) cosigning the note whose body is `body` at `timestamp`.
    public func cosign(body: String, timestamp: UInt64) -> String {
        let stamp = (0..<8).reversed().map { UInt8(truncatingIfNeeded: timestamp >> (8 * UInt64($0))) }
        let signature = key.sign(CosignatureV1.signedMessage(body: body, timestamp: timestamp))
        return "— \(name) \(Base64.encode(verifier.keyID + stamp + signature))\n"
    }

    public var description: String { "CosignerKey(\(name), \(verifier.vkey))" }
}

/// A witness as a client pins it: name and Ed25519 public key, also written as a signed-note
/// verifier key (`vkey`): `<name>+<8 hex key id>+<base64(0x04 || public key)>`.
public struct CosignatureVerifier: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let publicKey: LedgerPublicKey

    public init(name: String, publicKey: LedgerPublicKey) {
        self.name = name
        self.publicKey = publicKey
    }

    /// Parses a vkey; `nil` unless it is a cosignature/v1 key whose key id matches its name and key.
    public init?(vkey: String) {
        // The base64 key may itself contain `+`: only the first two separate fields.
        let parts = vkey.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, CosignatureV1.isValidKeyName(parts[0]), let id = Hex.decode(parts[1]), id.count == 4,
              let material = Base64.decode(parts[2]), material.count == 33, material[0] == CosignatureV1.signatureType,
              let publicKey = LedgerPublicKey(base64: Base64.encode(Array(material.dropFirst())))
        else { return nil }
        self.init(name: parts[0], publicKey: publicKey)
        guard keyID == id else { return nil }
    }

    public var keyID: [UInt8] { CosignatureV1.keyID(name: name, publicKey: publicKey) }

    public var vkey: String { "\(name)+\(Hex.encode(keyID))+\(Base64.encode([CosignatureV1.signatureType] + publicKey.raw))" }

    public var description: String { vkey }

    /// The timestamp of this witness's cosignature on `note` (a signed note, checkpoint body and
    /// signature lines), checked against the note's body.
    ///
    /// Lines under other names or key ids are ignored, as signed-note requires. Throws
    /// ``CosignatureError/badSignature`` when a line with this name and key id does not verify
    /// (the note should then be rejected whole) and ``CosignatureError/missing`` when there is none.
    public func verifiedTimestamp(in note: String) throws(CosignatureError) -> UInt64 {
        guard let split = note.range(of: "\n\n") else { throw .malformed("no blank line between body and signatures") }
        let body = String(note[..<split.lowerBound]) + "\n"
        let wanted = keyID
        for line in note[split.upperBound...].split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 3, parts[0] == "—", parts[1] == name, let blob = Base64.decode(String(parts[2])),
                  blob.count == CosignatureV1.blobLength, Array(blob.prefix(4)) == wanted
            else { continue }
            let timestamp = blob[4..<12].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard timestamp <= UInt64(Int64.max),
                  publicKey.isValidSignature(Array(blob.suffix(64)), for: CosignatureV1.signedMessage(body: body, timestamp: timestamp))
            else { throw .badSignature(name) }
            return timestamp
        }
        throw .missing(name)
    }
}

public enum CosignatureError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case missing(String)
    case badSignature(String)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed note: \(reason)"
        case .missing(let name): "the checkpoint carries no cosignature by \(name)"
        case .badSignature(let name): "the cosignature by \(name) does not verify"
        }
    }
}
