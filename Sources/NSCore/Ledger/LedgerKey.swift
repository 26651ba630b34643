import Crypto
import Foundation

/// An Ed25519 signing key of the ledger: ns-node's checkpoint key or a producer's block key.
///
/// Keys travel as base64 of the 32-byte seed (`NS_SIGNING_KEY`, `VP_SIGNING_KEY`); public keys as
/// base64 of their 32 raw bytes. `description` never shows the private part.
public struct LedgerKey: Sendable, CustomStringConvertible {
    public let name: String
    private let seed: [UInt8]

    public init(name: String, seedBase64: String) throws(ConfigurationError) {
        // Why the bytes are not a key does not matter to the operator: the one error below names the fix.
        guard let seed = Base64.decode(seedBase64.trimmingCharacters(in: .whitespaces)), seed.count == 32,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        else {
            throw ConfigurationError(variable: name, problem: "is not a base64 Ed25519 private key (32 bytes)", fix: "generate one with `nsctl secrets gen`")
        }
        self.name = name
        self.seed = Array(key.rawRepresentation)
    }

    /// A fresh random key.
    public init(generatingNamed name: String) {
        self.name = name
        self.seed = Array(Curve25519.Signing.PrivateKey().rawRepresentation)
    }

    /// The private key, rebuilt from the seed (crypto key types are not `Sendable`).
    private var key: Curve25519.Signing.PrivateKey {
        // The seed was accepted by this same initializer when the value was created.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: seed)
    }

    /// Base64 of the private seed, for writing a key file (mode 0600) or `.env`.
    public func exportSeed() -> String { Base64.encode(seed) }

    public var publicKey: LedgerPublicKey { LedgerPublicKey(raw: Array(key.publicKey.rawRepresentation)) }

    public func sign(_ message: [UInt8]) -> [UInt8] {
        // Signing with a valid key only fails if the system RNG fails, which Crypto treats as fatal too.
        Array(try! key.signature(for: message))
    }

    public var description: String { "LedgerKey(\(name), public \(publicKey.base64))" }
}

/// An Ed25519 public key as the ledger names it.
public struct LedgerPublicKey: Sendable, Hashable, Codable {
    public let raw: [UInt8]

    public init(raw: [UInt8]) {
        self.raw = raw
    }

    public init?(base64: String) {
        // Bytes that are not a key are not one: `nil` is the documented answer.
        guard let raw = Base64.decode(base64), raw.count == 32, (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil else { return nil }
        self.raw = raw
    }

    public var base64: String { Base64.encode(raw) }

    /// The validator id a block's `producer` field carries: hex of the first 8 bytes of SHA-256(key).
    public var validatorID: String { Hex.encode(MerkleHash.sha256(raw).bytes.prefix(8)) }

    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        // `raw` was accepted as a key at init, so this does not fail; if it did, no signature would be valid.
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
        return key.isValidSignature(signature, for: message)
    }
}
