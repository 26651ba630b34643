/// The seeds' pre-run check, kept as a second line behind the empty environment: a snippet that
/// names a secret's environment variable is refused before it runs, as a security violation.
enum SecretReferenceScan {
    /// Names of the variables that carry secrets in a NeuroSwarm deployment (their `_FILE` and
    /// `_PREVIOUS` forms match too), plus the seeds' `DB_PASSWORD` and common cloud credentials.
    static let forbidden = [
        "JWT_SECRET", "ADMIN_JWT_SECRET", "SESSION_SECRET", "INTERNAL_TOKEN", "NS_SIGNING_KEY", "VP_SIGNING_KEY",
        "GRAFANA_ADMIN_PASSWORD", "DB_PASSWORD", "REDIS_URL", "REDIS_PASSWORD", "DATABASE_URL", "AWS_SECRET_ACCESS_KEY",
    ]

    /// The first forbidden name the snippet mentions as an identifier (any case), or `nil`.
    static func firstReference(in snippet: String) -> String? {
        var token = ""
        for scalar in snippet.unicodeScalars {
            if scalar.properties.isAlphabetic && scalar.isASCII || ("0"..."9").contains(scalar) || scalar == "_" {
                token.unicodeScalars.append(scalar)
                continue
            }
            if let name = match(token) { return name }
            token = ""
        }
        return match(token)
    }

    private static func match(_ token: String) -> String? {
        guard token.count >= 8 else { return nil }
        let upper = token.uppercased()
        return forbidden.first { upper == $0 || upper.hasPrefix($0 + "_") }
    }
}
