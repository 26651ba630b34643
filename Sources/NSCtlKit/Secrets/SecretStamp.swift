import Foundation

/// The comment line `nsctl secrets gen` writes directly above each secret it generates or
/// rotates, so later checks know how old the secret is without ever storing its value twice:
/// `# JWT_SECRET generated 2026-12-06T11:20:00Z` or `# JWT_SECRET rotated 2026-12-06T11:20:00Z`
/// (the name, the event, the UTC time to the second in ISO 8601).
struct SecretStamp: Sendable, Equatable {
    enum Event: String, Sendable {
        case generated, rotated
    }

    let name: String
    let event: Event
    let date: Date

    private static let style = Date.ISO8601FormatStyle()

    /// The comment line; it names the secret and a time, never the value.
    var line: String {
        "# \(name) \(event.rawValue) \(date.formatted(Self.style))"
    }

    /// The stamp a line holds, or `nil` for any other line (an assignment, an ordinary comment,
    /// or a stamp whose time does not parse).
    init?(line: String) {
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 4, words[0] == "#", let event = Event(rawValue: String(words[2])),
              let date = try? Self.style.parse(String(words[3]))  // an unreadable time is no stamp: the secret's age is then unknown
        else { return nil }
        self.init(name: String(words[1]), event: event, date: date)
    }

    init(name: String, event: Event, date: Date) {
        self.name = name
        self.event = event
        // Whole seconds: what the line keeps, so a stamp read back equals the one written.
        self.date = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    /// The latest stamp per secret name in a dotenv file's text.
    static func latest(in text: String) -> [String: SecretStamp] {
        var found: [String: SecretStamp] = [:]
        for line in text.split(separator: "\n") {
            guard let stamp = SecretStamp(line: String(line)) else { continue }
            if let seen = found[stamp.name], seen.date >= stamp.date { continue }
            found[stamp.name] = stamp
        }
        return found
    }
}
