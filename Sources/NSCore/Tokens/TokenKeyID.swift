import Crypto

/// The `kid` that names an HMAC token secret (`JWT_SECRET`, `ADMIN_JWT_SECRET`) without revealing it.
///
/// Derived from the secret itself, so the gateway and `nsctl token create` agree with no extra
/// setting, and a rotated secret gets a new id: during a rotation the gateway picks the key a
/// token names instead of trying both.
public enum TokenKeyID {
    /// `"k"` and the first 16 hex digits of SHA-256 over a domain label and the secret.
    public static func of(_ secret: Secret) -> String {
        let digest = SHA256.hash(data: Array("neuroswarm-token-key:".utf8) + Array(secret.reveal().utf8))
        return "k" + Hex.encode(digest.prefix(8))
    }
}
