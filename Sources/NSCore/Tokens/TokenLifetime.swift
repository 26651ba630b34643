import Foundation

/// How long a token may live: the longest `exp - iat` the gateway, vp-node's operator API and
/// admin-node accept (`JWT_MAX_TTL`), and the cap `nsctl token create --ttl` applies.
///
/// Bounding the lifetime bounds the damage of a leaked token, and keeps `exp` a number the
/// verifier can compare: a token claiming `exp: 1e300` is refused, not trusted for ever.
public enum TokenLifetime {
    /// The setting's name.
    public static let variable = "JWT_MAX_TTL"
    /// 30 days, unless `JWT_MAX_TTL` says otherwise.
    public static let defaultMaximum: Duration = .seconds(30 * 86_400)
    /// The range `JWT_MAX_TTL` may take: one minute to ten years.
    public static let allowedSeconds: ClosedRange<Int> = 60...(3_650 * 86_400)

    /// `lifetime` as operators write it (`30d`), for messages and help texts.
    public static func text(_ lifetime: Duration) -> String {
        DurationText.format(seconds: Int(lifetime / .seconds(1)))
    }
}

extension ConfigurationSource {
    /// `JWT_MAX_TTL`: a duration (`30d`, `12h`) or whole seconds; ``TokenLifetime/defaultMaximum`` when unset.
    public func tokenMaxLifetime() throws(ConfigurationError) -> Duration {
        guard let found = first(TokenLifetime.variable) else { return TokenLifetime.defaultMaximum }
        let text = found.value.trimmingCharacters(in: .whitespaces)
        let range = TokenLifetime.allowedSeconds
        let fix = "set it to a duration such as 30d, 12h or 3600s (or whole seconds), from \(DurationText.format(seconds: range.lowerBound)) "
            + "to \(DurationText.format(seconds: range.upperBound))"
        let seconds: Int
        if let plain = Int(text) {
            seconds = plain
        } else if case .success(let parsed) = DurationText.seconds(text) {
            seconds = parsed
        } else {
            throw ConfigurationError(variable: TokenLifetime.variable, problem: "=\"\(found.value)\" (\(found.layer)) is not a duration", fix: fix)
        }
        guard range.contains(seconds) else {
            throw ConfigurationError(variable: TokenLifetime.variable, problem: "=\"\(found.value)\" (\(found.layer)) is out of range", fix: fix)
        }
        return .seconds(seconds)
    }
}
