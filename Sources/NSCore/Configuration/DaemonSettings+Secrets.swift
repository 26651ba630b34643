import Foundation

extension DaemonSettings {
    /// Secrets shorter than this are refused in production and warned about elsewhere; HMAC token
    /// keys shorter than this are refused in every mode.
    public static let minimumSecretBytes = 32

    /// The rotation policy: a secret older than this many days is due (`nsctl env check` lists it,
    /// `nsctl health` is WARNING).
    public static let defaultSecretMaxAgeDays = 30

    /// `SECRET_MAX_AGE_DAYS`, 1 to 3650 (default ``defaultSecretMaxAgeDays``). nsd itself does not
    /// age secrets; it refuses a malformed value so `nsctl env check` reports it like any other.
    public static func secretMaxAgeDays(source: ConfigurationSource) throws(ConfigurationError) -> Int {
        try source.integer(["SECRET_MAX_AGE_DAYS"], default: defaultSecretMaxAgeDays, range: 1...3_650)
    }

    /// The HS256 keys: RFC 7518 section 3.2 says a key MUST be at least as long as the hash
    /// output (32 bytes), and jwt-kit enforces it, so a short one is never merely a warning.
    static let tokenKeys: Set<String> = ["JWT_SECRET", "JWT_SECRET_PREVIOUS", "ADMIN_JWT_SECRET", "ADMIN_JWT_SECRET_PREVIOUS"]

    /// Which secrets each role signs or verifies with.
    static func requiredSecrets(for roles: [NodeRole]) -> [String] {
        var names: [String] = []
        if roles.contains(.gateway) || roles.contains(.ns) { names.append("JWT_SECRET") }
        // vp-node's operator API checks tokens signed with ADMIN_JWT_SECRET, as admin-node does.
        if roles.contains(.admin) || roles.contains(.vp) { names.append("ADMIN_JWT_SECRET") }
        if roles.contains(.admin) { names.append("SESSION_SECRET") }
        return names
    }

    mutating func loadSecrets(source: ConfigurationSource) throws(ConfigurationError) {
        for name in Self.requiredSecrets(for: roles) {
            // nil in development when unset: nsd keeps a generated one in the data folder
            // (``DataLayout/developmentSecretFiles``), which nsctl finds there too.
            guard let secret = try resolveSecret(name, source: source) else { continue }
            switch name {
            case "JWT_SECRET": jwtSecret = secret
            case "ADMIN_JWT_SECRET": adminJWTSecret = secret
            default: sessionSecret = secret
            }
        }
        if let token = try source.secret("INTERNAL_TOKEN") {
            try checkLength(token, name: "INTERNAL_TOKEN")
            internalToken = token
        } else if mode == .production && roles.contains(where: \.usesInternalToken) {
            throw ConfigurationError(variable: "INTERNAL_TOKEN", problem: "is not set and NODE_ENV=production",
                                     fix: "set the same INTERNAL_TOKEN (or INTERNAL_TOKEN_FILE) on every node (nsctl secrets gen writes one)")
        }
        if jwtSecret != nil { jwtSecretPrevious = try previousSecret("JWT_SECRET", source: source) }
        if adminJWTSecret != nil { adminJWTSecretPrevious = try previousSecret("ADMIN_JWT_SECRET", source: source) }
        if sessionSecret != nil { sessionSecretPrevious = try previousSecret("SESSION_SECRET", source: source) }
        internalTokenPrevious = try previousSecret("INTERNAL_TOKEN", source: source)
    }

    /// `<name>_PREVIOUS` (or its `_FILE` form), held to the same length rule as the secret: the
    /// value a rotation replaced, which the nodes accept alongside the current one while they roll.
    /// An empty `_PREVIOUS_FILE` is no previous value: outside a rotation the compose deployment's file is empty.
    private mutating func previousSecret(_ name: String, source: ConfigurationSource) throws(ConfigurationError) -> Secret? {
        guard let previous = try source.secret(name + "_PREVIOUS", emptyFileIsUnset: true) else { return nil }
        try checkLength(previous, name: name + "_PREVIOUS")
        return previous
    }

    private mutating func resolveSecret(_ name: String, source: ConfigurationSource) throws(ConfigurationError) -> Secret? {
        if let secret = try source.secret(name) {
            try checkLength(secret, name: name)
            return secret
        }
        guard mode != .production else {
            throw ConfigurationError(variable: name, problem: "is not set and NODE_ENV=production", fix: "set \(name) or \(name)_FILE (generate one with `nsctl secrets gen` or `openssl rand -hex 32`)")
        }
        return nil
    }

    mutating func checkLength(_ secret: Secret, name: String) throws(ConfigurationError) {
        guard secret.byteCount < Self.minimumSecretBytes else { return }
        let problem = "is shorter than \(Self.minimumSecretBytes) bytes"
        let fix = "use at least 32 random bytes, e.g. `openssl rand -hex 32`"
        if mode == .production {
            throw ConfigurationError(variable: name, problem: problem, fix: fix)
        }
        if Self.tokenKeys.contains(name) {
            throw ConfigurationError(variable: name, problem: problem + " (RFC 7518 requires at least 32 for HS256)", fix: fix)
        }
        notices.append("\(name) \(problem); production would refuse it (\(fix))")
    }

    /// Hex of `byteCount` bytes from the system CSPRNG.
    public static func randomHex(byteCount: Int) -> String {
        Hex.encode(SecureRandom.bytes(byteCount))
    }
}
