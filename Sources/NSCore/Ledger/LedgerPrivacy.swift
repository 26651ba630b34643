import Crypto

/// What the transactions vp-node builds reveal of the user's text and identity: the log is public
/// by design (ns-node's read API and its tiles serve every entry to anyone), so by default a
/// transaction carries only the SHA-256 of the sanitised preview and a keyed hash of the submitter
/// (docs/ledger.md, "What the log publishes").
public struct LedgerPrivacy: Sendable {
    /// `LEDGER_PREVIEW`: what a transaction records of the sanitised text.
    public enum PreviewPolicy: String, Sendable, CaseIterable {
        /// `previewSha256` only: the text stays in the queue, never in the log.
        case hash
        /// `preview`: up to 5,000 characters of the sanitised text, for a log kept internal.
        case text
    }

    /// `LEDGER_SUBMITTER`: what a transaction records of who submitted it.
    public enum SubmitterPolicy: String, Sendable, CaseIterable {
        /// ``SubmitterPseudonym``: linkable only by whoever holds `LEDGER_SUBMITTER_KEY`.
        case keyedHash = "keyed-hash"
        /// The JWT `sub` as given.
        case plain
    }

    public let preview: PreviewPolicy
    public let submitter: SubmitterPolicy
    /// The key's pseudonyms; always set under ``SubmitterPolicy/keyedHash``, and under `plain` when
    /// a key is configured, so transactions recorded before a switch to `plain` still match their owner.
    public let pseudonym: SubmitterPseudonym?

    /// What transactions carried before these settings existed: the text and the plain `sub`.
    public static let published = LedgerPrivacy(preview: .text, submitter: .plain, pseudonym: nil)

    /// `pseudonym` must be given under ``SubmitterPolicy/keyedHash`` (a `nil` one records the
    /// plain `sub`, which the settings never allow).
    public init(preview: PreviewPolicy, submitter: SubmitterPolicy, pseudonym: SubmitterPseudonym?) {
        self.preview = preview
        self.submitter = submitter
        self.pseudonym = pseudonym
    }

    /// The `submitter` a transaction records for the JWT `sub` `subject`.
    public func recordedSubmitter(_ subject: String) -> String {
        guard submitter == .keyedHash, let pseudonym else { return subject }
        return pseudonym.pseudonym(of: subject)
    }

    /// The `preview` and `previewSha256` fields (exactly one set) for the sanitised `text`. An
    /// empty text has nothing to show, so its hash is recorded whatever the policy.
    public func previewFields(_ text: String) -> (preview: String?, previewSHA256: String?) {
        guard preview == .hash || text.isEmpty else { return (text, nil) }
        return (nil, Hex.encode(SHA256.hash(data: Array(text.utf8))))
    }

    /// Whether `recorded` (a transaction's `submitter`, or a job result's) names the user `subject`:
    /// the plain `sub`, or its pseudonym under the key held. Both are accepted, so jobs recorded
    /// before `LEDGER_SUBMITTER` changed keep their owner. A plain `sub` cannot pass for another
    /// user's pseudonym without the key.
    public func recorded(_ recorded: String, names subject: String) -> Bool {
        recorded == subject || pseudonym.map { $0.pseudonym(of: subject) == recorded } == true
    }
}
