import Crypto

/// The `submitter` a transaction records under `LEDGER_SUBMITTER=keyed-hash`: HMAC-SHA256 of the
/// JWT `sub` (UTF-8) keyed with the UTF-8 bytes of `LEDGER_SUBMITTER_KEY`, as 64 lowercase hex digits.
///
/// Stable for one user and key, so whoever holds the key can link a user's transactions (the
/// gateway's owner check; an operator answering a data-subject request computes it with
/// `printf %s "$SUB" | openssl dgst -sha256 -hmac "$KEY"`). Without the key it reveals nothing
/// of the `sub` and cannot be recomputed from a guessed one, as a plain SHA-256 of a guessable id could.
public struct SubmitterPseudonym: Sendable {
    private let key: [UInt8]

    /// `key` is used as given; the settings hold it to the 32-byte minimum of every secret.
    public init(key: Secret) {
        self.key = Array(key.reveal().utf8)
    }

    /// The pseudonym of `subject`: always 64 characters, within the ledger's submitter limit.
    public func pseudonym(of subject: String) -> String {
        Hex.encode(Array(HMAC<SHA256>.authenticationCode(for: Array(subject.utf8), using: SymmetricKey(data: key))))
    }
}
