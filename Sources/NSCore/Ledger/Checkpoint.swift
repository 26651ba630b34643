/// A signed checkpoint of the log tree in the C2SP signed-note format (c2sp.org/tlog-checkpoint,
/// c2sp.org/signed-note), so tools outside this project can verify it:
///
/// ```
/// <origin>
/// <tree size>
/// <base64 root hash>
///
/// — <key name> <base64(4-byte key id || 64-byte Ed25519 signature)>
/// ```
///
/// The signature covers the note body (the first three lines, each ending in a newline); the key
/// id is the first 4 bytes of SHA-256(key name || 0x0A || 0x01 || public key).
public struct Checkpoint: Sendable, Equatable {
    public let origin: String
    public let size: UInt64
    public let root: MerkleHash

    public init(origin: String, size: UInt64, root: MerkleHash) {
        self.origin = origin
        self.size = size
        self.root = root
    }

    public var body: String { "\(origin)\n\(size)\n\(root.base64)\n" }

    /// The signed note text.
    public func signed(with key: LedgerKey) -> String {
        let signature = Self.keyID(name: key.name, publicKey: key.publicKey) + key.sign(Array(body.utf8))
        return body + "\n— \(key.name) \(Base64.encode(signature))\n"
    }

    /// The signed-note key id: the first 4 bytes of SHA-256(name || 0x0A || type || key); type
    /// 0x01 is a plain Ed25519 signature, 0x04 a cosignature/v1.
    public static func keyID(name: String, publicKey: LedgerPublicKey, type: UInt8 = 0x01) -> [UInt8] {
        Array(MerkleHash.sha256(Array(name.utf8) + [0x0A, type] + publicKey.raw).bytes.prefix(4))
    }

    /// A signed note's body: its text up to and including the newline before the blank line,
    /// what the log signed and a witness cosigns; nil for text that is not a signed note.
    public static func body(ofNote note: String) -> String? {
        note.range(of: "\n\n").map { String(note[..<$0.lowerBound]) + "\n" }
    }

    /// Parses a signed note and checks the signature of `name` with `publicKey`.
    public static func verify(note: String, name: String, publicKey: LedgerPublicKey) throws(CheckpointError) -> Checkpoint {
        guard let split = note.range(of: "\n\n") else { throw .malformed("no blank line between body and signatures") }
        let body = String(note[..<split.lowerBound]) + "\n"
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard lines.count >= 3, !lines[0].isEmpty, let size = UInt64(lines[1]), String(size) == lines[1],
              let rootBytes = Base64.decode(String(lines[2])), rootBytes.count == 32
        else { throw .malformed("the body must be origin, tree size and base64 root") }
        let wantedID = keyID(name: name, publicKey: publicKey)
        var sawName = false
        for line in note[split.upperBound...].split(separator: "\n") {
            guard line.hasPrefix("— ") else { throw .malformed("a signature line must start with an em dash") }
            let parts = line.dropFirst(2).split(separator: " ")
            guard parts.count == 2, parts[0] == name else { continue }
            sawName = true
            guard let blob = Base64.decode(String(parts[1])), blob.count == 68, Array(blob.prefix(4)) == wantedID else { continue }
            if publicKey.isValidSignature(Array(blob.dropFirst(4)), for: Array(body.utf8)) {
                return Checkpoint(origin: String(lines[0]), size: size, root: MerkleHash(rootBytes))
            }
            throw .badSignature
        }
        throw sawName ? .badSignature : .noSignature(name)
    }
}

public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case noSignature(String)
    case badSignature

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed checkpoint: \(reason)"
        case .noSignature(let name): "the checkpoint carries no signature by \(name)"
        case .badSignature: "the checkpoint signature does not verify"
        }
    }
}
