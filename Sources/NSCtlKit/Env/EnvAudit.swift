import Foundation
import NSCore

/// What `nsctl env check` finds wrong with a dotenv file: each problem names its variable, what is
/// wrong and the fix, and all of them are reported at once.
enum EnvAudit {
    struct Problem: Equatable {
        let variable: String
        let problem: String
        let fix: String
    }

    /// Secrets every deployment needs, with the shortest acceptable length in bytes.
    static let requiredSecrets: [(name: String, minimum: Int)] = [
        ("JWT_SECRET", 32), ("ADMIN_JWT_SECRET", 32), ("SESSION_SECRET", 32), ("INTERNAL_TOKEN", 32), ("GRAFANA_ADMIN_PASSWORD", 16),
    ]

    /// Every problem in `file`; `secretAges` (from the file's stamps) adds each secret overdue
    /// for rotation or of unknown age.
    static func problems(in file: DotEnvFile, path: String, secretAges: SecretAges? = nil) -> [Problem] {
        var values = file.values.filter { !$0.value.isEmpty }
        var found: [Problem] = []
        for (name, minimum) in requiredSecrets {
            if values[name] == nil && values[name + "_FILE"] == nil {
                found.append(Problem(variable: name, problem: "is missing", fix: "run `nsctl secrets gen --rotate \(name)` or add \(name)=<value>"))
                values[name] = String(repeating: "0", count: 64)  // so the checks below can go on
            } else if let value = values[name], value.utf8.count < minimum {
                found.append(Problem(variable: name, problem: "is shorter than \(minimum) bytes",
                                     fix: "run `nsctl secrets gen --rotate \(name)` for a strong value"))
                values[name] = String(repeating: "0", count: 64)
            }
        }
        let production = values["NODE_ENV"] == "production"
        let corsEnabled = !["false", "0", "no", "off"].contains(values["ENABLE_CORS"]?.lowercased() ?? "true")
        if production && corsEnabled && (values["CORS_ORIGIN"] ?? "*").split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == "*" }) {
            found.append(Problem(variable: "CORS_ORIGIN", problem: "is the wildcard '*' while NODE_ENV=production",
                                 fix: "list the allowed origins, or set ENABLE_CORS=false"))
            values["CORS_ORIGIN"] = "https://placeholder.invalid"
        }
        found += malformedValues(values, path: path)
        if let secretAges {
            found += secretAges.overdue.map { Problem(variable: $0.name, problem: secretAges.problem($0), fix: SecretAges.fix($0)) }
        }
        var seen: Set<String> = []
        return found.filter { seen.insert($0.variable).inserted }
    }

    /// The ages of the secrets `text` (the file `file` was parsed from) assigns at `now`, against
    /// its SECRET_MAX_AGE_DAYS (the default when that is malformed: ``problems(in:path:secretAges:)`` reports it).
    static func secretAges(in file: DotEnvFile, text: String, path: String, now: Date) -> SecretAges {
        let source = ConfigurationSource(dotEnv: file, dotEnvPath: path)
        let maxDays = (try? DaemonSettings.secretMaxAgeDays(source: source)) ?? DaemonSettings.defaultSecretMaxAgeDays  // a malformed value is a problem of its own
        return SecretAges(text: text, values: file.values, maxDays: maxDays, now: now)
    }

    /// Every value `nsd` itself would refuse, found by loading the settings for the roles a plain `nsd run` hosts
    /// and setting each refused variable aside until the load succeeds.
    private static func malformedValues(_ initial: [String: String], path: String) -> [Problem] {
        var values = initial
        var problems: [Problem] = []
        for _ in 0..<64 {
            do {
                let source = ConfigurationSource(dotEnv: DotEnvFile(values: values), dotEnvPath: path)
                _ = try DaemonSettings.load(roles: NodeRole.unnamedSelection(source: source), dataDirectory: "/nonexistent", source: source)
                return problems
            } catch {
                problems.append(Problem(variable: error.variable, problem: error.problem, fix: error.fix))
                guard values.removeValue(forKey: error.variable) != nil || values.removeValue(forKey: error.variable + "_FILE") != nil else {
                    return problems  // a required value is missing; nothing further can be loaded
                }
            }
        }
        return problems
    }
}
