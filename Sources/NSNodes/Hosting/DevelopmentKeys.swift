import Foundation
import Logging
import NSCore

/// Keys and tokens that development mode keeps in the data folder instead of the environment,
/// so a restart (or another `nsd --role` on the same data folder) uses the same ones.
///
/// Each file is created once with mode 0600 (`O_EXCL`, written and fsynced before use) and read
/// afterwards; production never uses these files (its settings must name every key).
public struct DevelopmentKeys: Sendable {
    let settings: DaemonSettings
    let logger: Logger

    public init(settings: DaemonSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// The node-to-node token: `INTERNAL_TOKEN`, else `<data-dir>/internal-token`.
    public func internalToken() throws(ConfigurationError) -> Secret {
        try secret("INTERNAL_TOKEN", configured: settings.internalToken)
    }

    /// `JWT_SECRET`, else `<data-dir>/jwt-secret`.
    public func jwtSecret() throws(ConfigurationError) -> Secret {
        try secret("JWT_SECRET", configured: settings.jwtSecret)
    }

    /// `ADMIN_JWT_SECRET`, else `<data-dir>/admin-jwt-secret`.
    public func adminJWTSecret() throws(ConfigurationError) -> Secret {
        try secret("ADMIN_JWT_SECRET", configured: settings.adminJWTSecret)
    }

    /// `SESSION_SECRET`, else `<data-dir>/session-secret`.
    public func sessionSecret() throws(ConfigurationError) -> Secret {
        try secret("SESSION_SECRET", configured: settings.sessionSecret)
    }

    /// What the transactions this process builds or matches publish (``LedgerPrivacy``), with the
    /// submitter key: `LEDGER_SUBMITTER_KEY`, else (under `keyed-hash`) `<data-dir>/ledger-submitter-key`.
    public func ledgerPrivacy() throws(ConfigurationError) -> LedgerPrivacy {
        let configured = settings.ledgerPrivacy
        let key: Secret? = configured.submitter == .keyedHash
            ? try secret(LedgerPrivacySettings.keyVariable, configured: configured.submitterKey) : configured.submitterKey
        return LedgerPrivacy(preview: configured.preview, submitter: configured.submitter, pseudonym: key.map(SubmitterPseudonym.init(key:)))
    }

    /// A configured secret, or (development only: production's settings refuse to load without
    /// it) the one kept in its file in the data folder, generated at the first start.
    private func secret(_ name: String, configured: Secret?) throws(ConfigurationError) -> Secret {
        if let configured { return configured }
        guard settings.mode != .production, let path = settings.layout.developmentSecret(name) else {
            throw ConfigurationError(variable: name, problem: "is not set", fix: "set \(name) or \(name)_FILE (nsctl secrets gen writes one)")
        }
        return Secret(try loadOrCreate(path, what: name) { DaemonSettings.randomHex(byteCount: 32) }, origin: .developmentFile(path))
    }

    /// ns-node's checkpoint key: `NS_SIGNING_KEY`, else `ns-node-data/checkpoint.key`.
    public func checkpointKey() throws(ConfigurationError) -> LedgerKey {
        let name = settings.ledger.origin
        if let configured = settings.ledger.signingKey { return try LedgerKey(name: name, seedBase64: configured.reveal()) }
        let path = settings.layout.checkpointKey
        let seed = try loadOrCreate(path, what: "NS_SIGNING_KEY") { LedgerKey(generatingNamed: name).exportSeed() }
        return try LedgerKey(name: name, seedBase64: seed)
    }

    /// The local producer key: `VP_SIGNING_KEY`, else `vp-node-data/producer.key`.
    public func producerKey() throws(ConfigurationError) -> LedgerKey {
        if let configured = settings.ledger.producerKey { return try LedgerKey(name: "VP_SIGNING_KEY", seedBase64: configured.reveal()) }
        let path = settings.layout.producerKey
        let seed = try loadOrCreate(path, what: "VP_SIGNING_KEY") { LedgerKey(generatingNamed: "vp-node").exportSeed() }
        return try LedgerKey(name: "VP_SIGNING_KEY", seedBase64: seed)
    }

    /// The genesis validator set: `VALIDATOR_PUBLIC_KEYS`, else the local producer key.
    public func genesisValidators() throws(ConfigurationError) -> [Validator] {
        if let configured = settings.ledger.validators { return configured }
        return [Validator(name: "vp-node", publicKey: try producerKey().publicKey)]
    }

    private func loadOrCreate(_ path: String, what: String, generate: () -> String) throws(ConfigurationError) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 {
            let value = generate()
            let bytes = Array(value.utf8)
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            let synced = fsync(fd) == 0
            close(fd)
            guard written == bytes.count, synced else {
                unlink(path)
                throw ConfigurationError(variable: what, problem: "could not be written to \(path)", fix: "check free space and permissions of --data-dir")
            }
            logger.warning("\(what) is not set: generated a development value and kept it in the data folder", metadata: ["path": .string(path)])
            return value
        }
        guard errno == EEXIST, let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty
        else {
            throw ConfigurationError(variable: what, problem: "is not set and \(path) cannot be read", fix: "set \(what), or fix the file's permissions")
        }
        return text
    }
}
