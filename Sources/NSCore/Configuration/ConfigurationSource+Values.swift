import Foundation

/// Typed readers: each returns the default when nothing is set and otherwise either a valid value
/// or a ``ConfigurationError`` that names the variable, the layer it came from and the fix.
extension ConfigurationSource {
    /// A whole number within `range`.
    public func integer(_ names: [String], default defaultValue: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let found = first(of: names) else { return defaultValue }
        guard let value = Int(found.value.trimmingCharacters(in: .whitespaces)) else {
            throw invalid(found, "is not a whole number", fix: "set it to a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        guard range.contains(value) else {
            throw invalid(found, "is out of range", fix: "set it to a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A duration given in whole milliseconds, as the seeds' `*_MS` variables are.
    public func milliseconds(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Duration {
        .milliseconds(try integer([name], default: defaultValue, range: range))
    }

    /// `true/false`, `1/0`, `yes/no` or `on/off`, in any case.
    public func boolean(_ name: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        guard let found = first(name) else { return defaultValue }
        switch found.value.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw invalid(found, "is not a boolean", fix: "set it to true or false")
        }
    }

    /// One of `choices` (compared case-insensitively, returned as listed).
    public func choice(_ name: String, default defaultValue: String, among choices: [String]) throws(ConfigurationError) -> String {
        guard let found = first(name) else { return defaultValue }
        let wanted = found.value.trimmingCharacters(in: .whitespaces).lowercased()
        guard let match = choices.first(where: { $0.lowercased() == wanted }) else {
            throw invalid(found, "is not one of the accepted values", fix: "set it to one of: \(choices.joined(separator: ", "))")
        }
        return match
    }

    /// An absolute URL with one of `schemes` and a host.
    public func url(_ name: String, schemes: Set<String>) throws(ConfigurationError) -> URL? {
        guard let found = first(name) else { return nil }
        guard let url = Self.absoluteURL(found.value, schemes: schemes) else {
            // The value is not echoed: a URL can carry a password.
            throw ConfigurationError(variable: found.name, problem: "(\(found.layer)) is not a valid \(schemes.sorted().joined(separator: "/")) URL",
                                     fix: "use the form \(Self.urlExample(schemes))")
        }
        return url
    }

    /// A comma-separated list of absolute URLs with one of `schemes` and a host, in the order
    /// given (`NS_NODE_URL=http://a:3009,http://b:3009`); one URL is a list of one. An empty,
    /// malformed or repeated entry names its position, and the entry itself only when it holds no
    /// `@` (a URL can carry a password); a single malformed URL is reported as ``url(_:schemes:)`` does.
    public func urls(_ name: String, schemes: Set<String>) throws(ConfigurationError) -> [URL]? {
        guard let found = first(name) else { return nil }
        let entries = found.value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var urls: [URL] = []
        for (index, entry) in entries.enumerated() {
            let position = entries.count == 1 ? "" : " entry \(index + 1) of \(entries.count)"
            let shown = entries.count == 1 || entry.isEmpty || entry.contains("@") ? "" : " \"\(entry)\""
            guard let url = Self.absoluteURL(entry, schemes: schemes) else {
                let problem = entry.isEmpty ? "is empty" : "is not a valid \(schemes.sorted().joined(separator: "/")) URL"
                throw ConfigurationError(variable: found.name, problem: "(\(found.layer))\(position)\(shown) \(problem)",
                                         fix: "list URLs of the form \(Self.urlExample(schemes)), separated by commas")
            }
            guard !urls.contains(url) else {
                throw ConfigurationError(variable: found.name, problem: "(\(found.layer))\(position)\(shown) repeats an earlier entry",
                                         fix: "list each URL once")
            }
            urls.append(url)
        }
        return urls
    }

    private static func absoluteURL(_ text: String, schemes: Set<String>) -> URL? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), schemes.contains(scheme),
              let host = url.host, !host.isEmpty
        else { return nil }
        return url
    }

    private static func urlExample(_ schemes: Set<String>) -> String {
        schemes.contains("redis") ? "redis://[user:password@]host:6379/0" : "http://host:port"
    }

    /// Free text, trimmed; `nil` when unset.
    public func string(_ name: String) -> String? {
        first(name)?.value.trimmingCharacters(in: .whitespaces)
    }

    private func invalid(_ found: Found, _ problem: String, fix: String) -> ConfigurationError {
        ConfigurationError(variable: found.name, problem: "=\"\(found.value)\" (\(found.layer)) \(problem)", fix: fix)
    }
}
