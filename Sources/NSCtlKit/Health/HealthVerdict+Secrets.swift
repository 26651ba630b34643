/// The rotation policy in `nsctl health`: WARNING while a secret in the `.env` is older than
/// `SECRET_MAX_AGE_DAYS` or has no recorded date, with the oldest age in the performance data.
extension HealthVerdict {
    var secretState: State {
        guard let secrets else { return .ok }
        return secrets.overdue.isEmpty ? .ok : .warning
    }

    /// `JWT_SECRET 45 days old, SESSION_SECRET age unknown (max 30 days; nsctl secrets gen --rotate NAME)`,
    /// or `oldest 12 days (max 30)`; `nil` when no secret was aged.
    var secretSummary: String? {
        guard let secrets, !secrets.entries.isEmpty else { return nil }
        let overdue = secrets.overdue
        guard !overdue.isEmpty else {
            return "oldest \(secrets.oldestDays.map { "\($0) days" } ?? "unknown") (max \(secrets.maxDays))"
        }
        let named = overdue.map { entry in entry.days.map { "\(entry.name) \($0) days old" } ?? "\(entry.name) age unknown" }
        return named.joined(separator: ", ") + " (max \(secrets.maxDays) days; nsctl secrets gen --rotate NAME)"
    }

    /// `secret_age_days=45;30;;0`: the oldest recorded age, the maximum as the warning threshold.
    var secretPerformanceData: String? {
        guard let secrets, !secrets.entries.isEmpty else { return nil }
        return "secret_age_days=\(secrets.oldestDays.map(String.init) ?? "");\(secrets.maxDays);;0"
    }
}
