import Foundation

/// Ledger settings: ns-node's checkpoint key, the genesis validator set, the mempool bound, the
/// checkpoint origin, and the internal token every node-to-node call carries.
public struct LedgerSettings: Sendable {
    /// `LEDGER_ORIGIN`: the first line of every checkpoint and the checkpoint key's name.
    public var origin: String
    /// `NS_SIGNING_KEY`: ns-node's checkpoint key; `nil` in development means "use the key kept in the data folder".
    public var signingKey: Secret?
    /// `VALIDATOR_PUBLIC_KEYS`: the genesis set; `nil` in development means "the local producer key".
    public var validators: [Validator]?
    /// `MEMPOOL_MAX`.
    public var mempoolMax: Int
    /// `VP_SIGNING_KEY`: vp-node's block-signing key; `nil` in development means "the key kept in the data folder".
    public var producerKey: Secret?
    /// `BLOCK_INTERVAL_MS`: how often vp-node builds a block from the mempool.
    public var blockInterval: Duration = .seconds(1)
    /// `BLOCK_MAX_TXS`: the most transactions per block (a full mempool is drained without waiting).
    public var blockMaxTxs: Int = 1_000
    /// `WITNESSES`: the witnesses ns-node sends each new checkpoint to (``WitnessPeer``); none by default.
    public var witnesses: [WitnessPeer] = []

    public static let defaultOrigin = "neuroswarm.local/ledger"

    static func load(roles: [NodeRole], mode: DaemonSettings.Mode, source: ConfigurationSource) throws(ConfigurationError) -> LedgerSettings {
        let origin = source.string("LEDGER_ORIGIN") ?? defaultOrigin
        guard !origin.isEmpty, origin.utf8.count <= 255, !origin.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw ConfigurationError(variable: "LEDGER_ORIGIN", problem: "must be 1 to 255 characters without spaces", fix: "use a name like example.com/ledger")
        }
        var settings = LedgerSettings(origin: origin, signingKey: nil, validators: nil,
                                      mempoolMax: try source.integer(["MEMPOOL_MAX"], default: 100_000, range: 1...10_000_000))
        if roles.contains(.ns) {
            settings.signingKey = try source.secret("NS_SIGNING_KEY")
            if let key = settings.signingKey { _ = try LedgerKey(name: "NS_SIGNING_KEY", seedBase64: key.reveal()) }
            if let keys = source.string("VALIDATOR_PUBLIC_KEYS") {
                settings.validators = try parseValidators(keys)
            }
            if let witnesses = source.string("WITNESSES"), !witnesses.isEmpty {
                settings.witnesses = try WitnessPeer.parseList(witnesses)
            }
            if mode == .production {
                guard settings.signingKey != nil else {
                    throw ConfigurationError(variable: "NS_SIGNING_KEY", problem: "is not set and NODE_ENV=production",
                                             fix: "set NS_SIGNING_KEY or NS_SIGNING_KEY_FILE (nsctl secrets gen writes one)")
                }
                guard settings.validators != nil else {
                    throw ConfigurationError(variable: "VALIDATOR_PUBLIC_KEYS", problem: "is not set and NODE_ENV=production",
                                             fix: "list the producers' public keys as name=base64,... (nsctl secrets gen writes them)")
                }
            }
        }
        if roles.contains(.vp) {
            settings.blockInterval = try source.milliseconds("BLOCK_INTERVAL_MS", default: 1_000, range: 10...3_600_000)
            settings.blockMaxTxs = try source.integer(["BLOCK_MAX_TXS"], default: 1_000, range: 1...10_000)
            settings.producerKey = try source.secret("VP_SIGNING_KEY")
            if let key = settings.producerKey { _ = try LedgerKey(name: "VP_SIGNING_KEY", seedBase64: key.reveal()) }
            if mode == .production && settings.producerKey == nil {
                throw ConfigurationError(variable: "VP_SIGNING_KEY", problem: "is not set and NODE_ENV=production",
                                         fix: "set VP_SIGNING_KEY or VP_SIGNING_KEY_FILE (nsctl secrets gen writes one); its public key belongs in VALIDATOR_PUBLIC_KEYS")
            }
        }
        return settings
    }

    /// `name=base64,name=base64` (a bare key is named `validator-N`).
    static func parseValidators(_ text: String) throws(ConfigurationError) -> [Validator] {
        var validators: [Validator] = []
        for (index, entry) in text.split(separator: ",").enumerated() {
            let parts = entry.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1).map(String.init)
            let (name, key) = parts.count == 2 && LedgerPublicKey(base64: parts[1]) != nil
                ? (parts[0], parts[1]) : ("validator-\(index + 1)", entry.trimmingCharacters(in: .whitespaces))
            guard let publicKey = LedgerPublicKey(base64: key) else {
                throw ConfigurationError(variable: "VALIDATOR_PUBLIC_KEYS", problem: "entry \(index + 1) is not a base64 Ed25519 public key",
                                         fix: "write name=base64 entries separated by commas")
            }
            validators.append(Validator(name: name, publicKey: publicKey))
        }
        guard !validators.isEmpty, Set(validators.map(\.id)).count == validators.count else {
            throw ConfigurationError(variable: "VALIDATOR_PUBLIC_KEYS", problem: "is empty or lists a key twice", fix: "list each producer key once")
        }
        return validators
    }
}
