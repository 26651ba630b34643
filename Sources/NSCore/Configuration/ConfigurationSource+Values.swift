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
        guard let url = URL(string: found.value), let scheme = url.scheme?.lowercased(), schemes.contains(scheme),
              let host = url.host, !host.isEmpty
        else {
            let example = schemes.contains("redis") ? "redis://[user:password@]host:6379/0" : "http://host:port"
            // The value is not echoed: a URL can carry a password.
            throw ConfigurationError(variable: found.name, problem: "(\(found.layer)) is not a valid \(schemes.sorted().joined(separator: "/")) URL", fix: "use the form \(example)")
        }
        return url
    }

    /// Free text, trimmed; `nil` when unset.
    public func string(_ name: String) -> String? {
        first(name)?.value.trimmingCharacters(in: .whitespaces)
    }

    private func invalid(_ found: Found, _ problem: String, fix: String) -> ConfigurationError {
        ConfigurationError(variable: found.name, problem: "=\"\(found.value)\" (\(found.layer)) \(problem)", fix: fix)
    }
}
