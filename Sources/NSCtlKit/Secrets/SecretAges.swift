import Foundation
import NSCore

/// How old each secret in a `.env` is, by its ``SecretStamp``, against `SECRET_MAX_AGE_DAYS`:
/// what `nsctl env check` lists as problems and `nsctl health` reports as WARNING.
struct SecretAges: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        let name: String
        /// Whole days since the secret was generated or rotated; `nil` when the file records no
        /// date for it (written by hand, or before nsctl recorded dates).
        let days: Int?
    }

    /// The secrets the file assigns, in ``names`` order.
    let entries: [Entry]
    let maxDays: Int

    /// The secrets whose age is checked: the ones `nsctl secrets gen --rotate` can replace.
    static let names = EnvAudit.requiredSecrets.map { $0.name }

    /// Ages of the secrets `values` assigns (a `_FILE` secret lives elsewhere and is not aged
    /// here), from the stamps in `text`, at `now`.
    init(text: String, values: [String: String], maxDays: Int, now: Date) {
        let stamps = SecretStamp.latest(in: text)
        entries = Self.names.filter { !(values[$0] ?? "").isEmpty }.map { name in
            Entry(name: name, days: stamps[name].map { max(0, Int(now.timeIntervalSince($0.date) / 86_400)) })
        }
        self.maxDays = maxDays
    }

    /// Secrets older than `maxDays` whole days, or of unknown age.
    var overdue: [Entry] {
        entries.filter { $0.days.map { $0 > maxDays } ?? true }
    }

    /// The oldest known age in days; `nil` when no secret has a recorded date.
    var oldestDays: Int? {
        entries.compactMap(\.days).max()
    }

    /// What is wrong with an overdue secret, in words.
    func problem(_ entry: Entry) -> String {
        guard let days = entry.days else { return "has no recorded generation date (age unknown; SECRET_MAX_AGE_DAYS=\(maxDays))" }
        return "is \(days) days old, older than SECRET_MAX_AGE_DAYS=\(maxDays)"
    }

    /// The command that replaces it and records the date.
    static func fix(_ entry: Entry) -> String {
        "run `nsctl secrets gen --rotate \(entry.name)` and restart the nodes that use it (docs/operations.md, Rotating secrets)"
    }
}
