/// The witness node's settings (`nsd run --role witness`): its identity and the logs it cosigns.
///
/// - `WITNESS_SIGNING_KEY` (or `_FILE`): the Ed25519 seed, base64, of its cosigning key; a secret.
/// - `WITNESS_NAME`: its key name, the name on its cosignature lines (a schema-less URL such as
///   `witness.example.com/w1`).
/// - `WITNESS_LOGS`: `origin=base64key,...`, each log's checkpoint origin and the Ed25519 public
///   key that signs its checkpoints (ns-node's `checkpointPublicKey`). Checkpoints of other
///   origins are refused with 404, so these are the only logs whose state it keeps.
///
/// All three are required once the witness runs; ``isConfigured(_:)`` decides whether a plain
/// `nsd run` runs it.
public struct WitnessSettings: Sendable {
    /// One log the witness cosigns.
    public struct Log: Sendable, Equatable {
        public let origin: String
        public let publicKey: LedgerPublicKey

        public init(origin: String, publicKey: LedgerPublicKey) {
            self.origin = origin
            self.publicKey = publicKey
        }
    }

    public var name: String
    public var signingKey: Secret
    public var logs: [Log]

    /// The variables that configure a witness; setting any of them makes a plain `nsd run` host it.
    public static let variables = ["WITNESS_SIGNING_KEY", "WITNESS_SIGNING_KEY_FILE", "WITNESS_NAME", "WITNESS_LOGS"]

    public static func isConfigured(_ source: ConfigurationSource) -> Bool {
        variables.contains { source.string($0) != nil }
    }

    /// The cosigning key, named ``name``.
    public func cosignerKey() throws(ConfigurationError) -> CosignerKey {
        CosignerKey(name: name, key: try Self.key(signingKey))
    }

    static func load(source: ConfigurationSource) throws(ConfigurationError) -> WitnessSettings {
        guard let name = source.string("WITNESS_NAME") else {
            throw ConfigurationError(variable: "WITNESS_NAME", problem: "is not set and the witness runs",
                                     fix: "set it to this witness's key name, a schema-less URL such as witness.example.com/w1")
        }
        guard CosignatureV1.isValidKeyName(name) else {
            throw ConfigurationError(variable: "WITNESS_NAME", problem: "must be 1 to 255 characters without spaces or +",
                                     fix: "use a schema-less URL such as witness.example.com/w1")
        }
        guard let signingKey = try source.secret("WITNESS_SIGNING_KEY") else {
            throw ConfigurationError(variable: "WITNESS_SIGNING_KEY", problem: "is not set and the witness runs",
                                     fix: "set WITNESS_SIGNING_KEY or WITNESS_SIGNING_KEY_FILE to a base64 Ed25519 seed, e.g. `openssl rand -base64 32`")
        }
        _ = try key(signingKey)
        guard let text = source.string("WITNESS_LOGS") else {
            throw ConfigurationError(variable: "WITNESS_LOGS", problem: "is not set and the witness runs",
                                     fix: "list the logs to cosign as origin=base64key,... (each log's checkpoint origin and checkpointPublicKey)")
        }
        return WitnessSettings(name: name, signingKey: signingKey, logs: try parseLogs(text))
    }

    /// `origin=base64key,...`; an origin may not contain `=`, a key is 32 raw bytes in base64.
    static func parseLogs(_ text: String) throws(ConfigurationError) -> [Log] {
        var logs: [Log] = []
        for (index, entry) in text.split(separator: ",").enumerated() {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            guard let equals = trimmed.firstIndex(of: "="), let key = LedgerPublicKey(base64: String(trimmed[trimmed.index(after: equals)...])),
                  CosignatureV1.isValidKeyName(String(trimmed[..<equals]))
            else {
                throw ConfigurationError(variable: "WITNESS_LOGS", problem: "entry \(index + 1) is not origin=base64key",
                                         fix: "write origin=base64key entries separated by commas (origin without spaces, + or =; key a base64 Ed25519 public key)")
            }
            logs.append(Log(origin: String(trimmed[..<equals]), publicKey: key))
        }
        guard !logs.isEmpty, Set(logs.map(\.origin)).count == logs.count else {
            throw ConfigurationError(variable: "WITNESS_LOGS", problem: "is empty or names an origin twice", fix: "list each log's origin once")
        }
        return logs
    }

    private static func key(_ secret: Secret) throws(ConfigurationError) -> LedgerKey {
        do {
            return try LedgerKey(name: "WITNESS_SIGNING_KEY", seedBase64: secret.reveal())
        } catch {
            throw ConfigurationError(variable: "WITNESS_SIGNING_KEY", problem: "is not a base64 Ed25519 private key (32 bytes)",
                                     fix: "generate one with `openssl rand -base64 32`")
        }
    }
}
