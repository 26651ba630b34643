import Foundation
@testable import NSCtlKit
import NSCore
import Testing

/// The rotation policy's pure parts, against a fixed clock: the stamp lines `nsctl secrets gen`
/// writes, the ages read back from them, what `nsctl env check` lists and what `nsctl health`
/// makes of them.
@Suite("secret ages and the rotation policy")
struct SecretAgeTests {
    /// 2026-12-06T11:20:00Z.
    static let now = Date(timeIntervalSince1970: 1_796_556_000)
    static let day: TimeInterval = 86_400

    static func stamp(_ name: String, daysAgo: Double, _ event: SecretStamp.Event = .generated) -> String {
        SecretStamp(name: name, event: event, date: now.addingTimeInterval(-daysAgo * day)).line
    }

    @Test("a stamp is '# NAME generated|rotated <UTC time to the second>' and reads back as written")
    func stampLine() throws {
        let stamp = SecretStamp(name: "JWT_SECRET", event: .rotated, date: Self.now.addingTimeInterval(0.75))
        #expect(stamp.line == "# JWT_SECRET rotated 2026-12-06T11:20:00Z")
        #expect(SecretStamp(line: stamp.line) == stamp)
        #expect(SecretStamp(line: "# INTERNAL_TOKEN generated 2026-01-31T23:59:59Z")?.date == Date(timeIntervalSince1970: 1_769_903_999))
        for other in ["JWT_SECRET=abc", "# a comment about JWT_SECRET", "# JWT_SECRET created 2026-12-06T11:20:00Z",
                      "# JWT_SECRET generated yesterday", "# JWT_SECRET generated 2026-12-06T11:20:00Z extra", ""] {
            #expect(SecretStamp(line: other) == nil, "\(other)")
        }
    }

    @Test("the latest stamp per secret counts, wherever it stands in the file")
    func latestStamp() {
        let text = [Self.stamp("JWT_SECRET", daysAgo: 40), "JWT_SECRET=x", "# note", Self.stamp("JWT_SECRET", daysAgo: 3, .rotated),
                    Self.stamp("SESSION_SECRET", daysAgo: 10)].joined(separator: "\n")
        let stamps = SecretStamp.latest(in: text)
        #expect(stamps["JWT_SECRET"]?.event == .rotated)
        #expect(stamps["JWT_SECRET"]?.date == Self.now.addingTimeInterval(-3 * Self.day))
        #expect(stamps["SESSION_SECRET"]?.date == Self.now.addingTimeInterval(-10 * Self.day))
        #expect(stamps.count == 2)
    }

    @Test("ages are whole days; older than SECRET_MAX_AGE_DAYS or undated is overdue, exactly the maximum is not")
    func ages() {
        let text = [Self.stamp("JWT_SECRET", daysAgo: 30.9), Self.stamp("ADMIN_JWT_SECRET", daysAgo: 31),
                    Self.stamp("SESSION_SECRET", daysAgo: -2), Self.stamp("GRAFANA_ADMIN_PASSWORD", daysAgo: 400)].joined(separator: "\n")
        let values = ["JWT_SECRET": "a", "ADMIN_JWT_SECRET": "b", "SESSION_SECRET": "c", "INTERNAL_TOKEN": "d", "GRAFANA_ADMIN_PASSWORD": ""]
        let ages = SecretAges(text: text, values: values, maxDays: 30, now: Self.now)
        #expect(ages.entries == [.init(name: "JWT_SECRET", days: 30), .init(name: "ADMIN_JWT_SECRET", days: 31),
                                 .init(name: "SESSION_SECRET", days: 0), .init(name: "INTERNAL_TOKEN", days: nil)],
                "an empty value (or a _FILE secret) is not aged; a stamp in the future is 0 days old")
        #expect(ages.overdue.map(\.name) == ["ADMIN_JWT_SECRET", "INTERNAL_TOKEN"])
        #expect(ages.oldestDays == 31)
        #expect(ages.problem(ages.overdue[0]) == "is 31 days old, older than SECRET_MAX_AGE_DAYS=30")
        #expect(ages.problem(ages.overdue[1]).contains("age unknown"))
        #expect(SecretAges.fix(ages.overdue[0]).contains("nsctl secrets gen --rotate ADMIN_JWT_SECRET"))
        #expect(SecretAges(text: text, values: values, maxDays: 31, now: Self.now).overdue.map(\.name) == ["INTERNAL_TOKEN"])
    }

    @Test("env check lists each overdue secret with its age and the rotate command, after the other problems of that secret")
    func envCheck() {
        let secret = String(repeating: "a", count: 64)
        let values = ["JWT_SECRET": secret, "ADMIN_JWT_SECRET": secret, "SESSION_SECRET": "short", "INTERNAL_TOKEN": secret,
                      "GRAFANA_ADMIN_PASSWORD": "Str0ngEnoughPassw0rd", "SECRET_MAX_AGE_DAYS": "7"]
        let text = (values.map { "\($0.key)=\($0.value)" } + [Self.stamp("JWT_SECRET", daysAgo: 8), Self.stamp("ADMIN_JWT_SECRET", daysAgo: 7),
                                                             Self.stamp("GRAFANA_ADMIN_PASSWORD", daysAgo: 1)]).joined(separator: "\n")
        let file = DotEnvFile(values: values)
        let ages = EnvAudit.secretAges(in: file, text: text, path: ".env", now: Self.now)
        #expect(ages.maxDays == 7, "SECRET_MAX_AGE_DAYS comes from the file")
        let problems = EnvAudit.problems(in: file, path: ".env", secretAges: ages)
        #expect(problems.contains(.init(variable: "JWT_SECRET", problem: "is 8 days old, older than SECRET_MAX_AGE_DAYS=7",
                                        fix: "run `nsctl secrets gen --rotate JWT_SECRET` and restart the nodes that use it (docs/operations.md, Rotating secrets)")))
        #expect(problems.first { $0.variable == "INTERNAL_TOKEN" }?.problem.contains("age unknown") == true)
        #expect(problems.first { $0.variable == "SESSION_SECRET" }?.problem == "is shorter than 32 bytes", "one problem per variable, the first found")
        #expect(!problems.contains { $0.variable == "ADMIN_JWT_SECRET" || $0.variable == "GRAFANA_ADMIN_PASSWORD" })

        let malformed = EnvAudit.secretAges(in: DotEnvFile(values: ["SECRET_MAX_AGE_DAYS": "soon"]), text: "", path: ".env", now: Self.now)
        #expect(malformed.maxDays == DaemonSettings.defaultSecretMaxAgeDays)
        #expect(EnvAudit.problems(in: DotEnvFile(values: ["SECRET_MAX_AGE_DAYS": "0"]), path: ".env").contains { $0.variable == "SECRET_MAX_AGE_DAYS" },
                "nsd's settings refuse a value out of 1...3650, so env check reports it")
    }

    @Test("health: an overdue secret is WARNING (exit 1) with the oldest age as perfdata; fresh secrets keep it OK; a down node stays CRITICAL")
    func health() {
        let thresholds = HealthVerdict.Thresholds(warning: .milliseconds(500), critical: .milliseconds(1000), dlqWarning: 10, dlqCritical: 100)
        let up = ServiceReport(service: "gateway-node", outcome: .up, latency: .milliseconds(4))
        let values = ["JWT_SECRET": "a", "INTERNAL_TOKEN": "b"]
        let stale = SecretAges(text: [Self.stamp("JWT_SECRET", daysAgo: 45), Self.stamp("INTERNAL_TOKEN", daysAgo: 2)].joined(separator: "\n"),
                               values: values, maxDays: 30, now: Self.now)
        let warning = HealthVerdict(reports: [up], queue: nil, checksDeadLetters: false, thresholds: thresholds, secrets: stale)
        #expect(warning.state == .warning && warning.state.rawValue == 1)
        #expect(warning.performanceData == "gateway=0.004s;0.5;1;0 secret_age_days=45;30;;0")
        #expect(warning.statusLine.contains("secrets JWT_SECRET 45 days old (max 30 days; nsctl secrets gen --rotate NAME)"))
        #expect(warning.detailLines.last?.hasPrefix("secrets: ") == true)

        let fresh = SecretAges(text: [Self.stamp("JWT_SECRET", daysAgo: 12), Self.stamp("INTERNAL_TOKEN", daysAgo: 2)].joined(separator: "\n"),
                               values: values, maxDays: 30, now: Self.now)
        let ok = HealthVerdict(reports: [up], queue: nil, checksDeadLetters: false, thresholds: thresholds, secrets: fresh)
        #expect(ok.state == .ok)
        #expect(ok.performanceData.hasSuffix(" secret_age_days=12;30;;0"))
        #expect(ok.statusLine.contains("secrets oldest 12 days (max 30)"))

        let undated = SecretAges(text: "", values: values, maxDays: 30, now: Self.now)
        let unknown = HealthVerdict(reports: [up], queue: nil, checksDeadLetters: false, thresholds: thresholds, secrets: undated)
        #expect(unknown.state == .warning)
        #expect(unknown.performanceData.hasSuffix(" secret_age_days=;30;;0"))

        let down = ServiceReport(service: "ns-node", outcome: .down("connection refused"), latency: nil)
        #expect(HealthVerdict(reports: [up, down], queue: nil, checksDeadLetters: false, thresholds: thresholds, secrets: stale).state == .critical)
        let withoutEnv = HealthVerdict(reports: [up], queue: nil, checksDeadLetters: false, thresholds: thresholds, secrets: nil)
        #expect(withoutEnv.state == .ok && !withoutEnv.performanceData.contains("secret_age"))
    }
}
