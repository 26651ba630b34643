/// `LEDGER_PREVIEW`, `LEDGER_SUBMITTER` and `LEDGER_SUBMITTER_KEY`: what the transactions vp-node
/// builds publish (``LedgerPrivacy``). vp-node applies them; the gateway needs the key to recognise
/// a user's pseudonym when it checks who owns a job.
public struct LedgerPrivacySettings: Sendable {
    public var preview: LedgerPrivacy.PreviewPolicy = .hash
    public var submitter: LedgerPrivacy.SubmitterPolicy = .keyedHash
    /// `LEDGER_SUBMITTER_KEY` (or `_FILE`); `nil` in development means "the key kept in the data
    /// folder" under `keyed-hash`, and no key under `plain`.
    public var submitterKey: Secret?

    public init() {}

    /// The variables, named once for the settings, their errors and the docs' checks.
    public static let previewVariable = "LEDGER_PREVIEW"
    public static let submitterVariable = "LEDGER_SUBMITTER"
    public static let keyVariable = "LEDGER_SUBMITTER_KEY"
}

extension DaemonSettings {
    /// Read where transactions are built (vp-node) or their submitter is matched (gateway); other
    /// roles ignore them. Production needs the key under `keyed-hash` on both.
    mutating func loadLedgerPrivacy(source: ConfigurationSource) throws(ConfigurationError) {
        guard roles.contains(.vp) || roles.contains(.gateway) else { return }
        var privacy = LedgerPrivacySettings()
        let preview = try source.choice(LedgerPrivacySettings.previewVariable, default: privacy.preview.rawValue,
                                        among: LedgerPrivacy.PreviewPolicy.allCases.map(\.rawValue))
        let submitter = try source.choice(LedgerPrivacySettings.submitterVariable, default: privacy.submitter.rawValue,
                                          among: LedgerPrivacy.SubmitterPolicy.allCases.map(\.rawValue))
        // choice() only returns one of the listed raw values.
        privacy.preview = LedgerPrivacy.PreviewPolicy(rawValue: preview) ?? .hash
        privacy.submitter = LedgerPrivacy.SubmitterPolicy(rawValue: submitter) ?? .keyedHash
        let name = LedgerPrivacySettings.keyVariable
        if let key = try source.secret(name) {
            try checkLength(key, name: name)
            privacy.submitterKey = key
        } else if privacy.submitter == .keyedHash && mode == .production {
            throw ConfigurationError(variable: name, problem: "is not set while \(LedgerPrivacySettings.submitterVariable)=keyed-hash and NODE_ENV=production",
                                     fix: "set \(name) or \(name)_FILE to the same value on gateway and vp-node (nsctl secrets gen writes one), "
                                         + "or \(LedgerPrivacySettings.submitterVariable)=plain to publish the JWT sub")
        }
        ledgerPrivacy = privacy
    }
}
