import ArgumentParser
@testable import NSCtlKit
import Testing

/// `nsctl` command lines as argument-parser reads them, without running anything: bad ones are
/// refused with the one clear message (and usage exit 64, or UNKNOWN for `health`), good ones
/// give the values the commands then use.
@Suite("nsctl argument validation")
struct ArgumentValidationTests {
    /// The message `nsctl` prints for `arguments`, or `nil` when they parse.
    static func refusal(_ arguments: [String]) -> String? {
        do {
            _ = try NSCtl.parseAsRoot(arguments)
            return nil
        } catch {
            #expect(NSCtl.exitCode(for: error) == .validationFailure, "\(arguments) is a usage error")
            return NSCtl.message(for: error)
        }
    }

    /// Expects `arguments` refused with a message that holds `expected`.
    static func expectRefused(_ arguments: [String], saying expected: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let message = try #require(refusal(arguments), "\(arguments) parsed", sourceLocation: sourceLocation)
        #expect(message.contains(expected), "\(message)", sourceLocation: sourceLocation)
    }

    /// What parsing `arguments` throws; `nil` when they parse.
    static func parseError(_ arguments: [String]) -> (any Error)? {
        do {
            _ = try NSCtl.parseAsRoot(arguments)
            return nil
        } catch {
            return error
        }
    }

    static func parsed<Command: ParsableCommand>(_ arguments: [String], as _: Command.Type) throws -> Command {
        try #require(try NSCtl.parseAsRoot(arguments) as? Command)
    }

    @Test("nsctl health refuses bad thresholds, services, timeouts and ping URLs", arguments: [
        (["--service", "gateway,dns"], "--service dns is unknown; choose from gateway,ns,vp,admin,redis"),
        (["--service", ","], "--service names no service"),
        (["--warning-ms", "800", "--critical-ms", "500"], "--critical-ms must be at least --warning-ms, both above 0"),
        (["--warning-ms", "0"], "--critical-ms must be at least --warning-ms, both above 0"),
        (["--dlq-warning", "50", "--dlq-critical", "10"], "--dlq-critical must be at least --dlq-warning"),
        (["--store-critical", "120"], "--store-critical must be at least --store-warning, both between 0 and 100"),
        (["--store-warning", "95", "--store-critical", "94"], "--store-critical must be at least --store-warning, both between 0 and 100"),
        (["--timeout", "0"], "--timeout must be between 0 and 300 seconds"),
        (["--timeout", "301"], "--timeout must be between 0 and 300 seconds"),
        (["--ping-url", "ftp://hc-ping.com/x"], "--ping-url must be an http(s) URL"),
        (["--warning-ms", "soon"], "soon"),
    ])
    func healthRefusals(_ refused: (arguments: [String], expected: String)) throws {
        try Self.expectRefused(["health"] + refused.arguments, saying: refused.expected)
    }

    @Test("a bad nsctl health command line exits UNKNOWN (3), as monitoring plugins do; --help does not")
    func healthBadArgumentsAreUnknown() throws {
        let bad = try #require(Self.parseError(["health", "--timeout", "0"]))
        #expect(NSCtl.healthExitStatus(for: bad) == 3)
        #expect(NSCtl.healthExitStatus(for: CleanExit.message("usage")) == nil, "a clean exit (help, version) stays 0")
        #expect(NSCtl.healthExitStatus(for: ExitCode(2)) == nil, "a CRITICAL verdict keeps its own status")
    }

    @Test("nsctl health defaults and a service list with spaces")
    func healthValues() throws {
        let defaults = try Self.parsed(["health"], as: NSCtl.Health.self)
        #expect(defaults.selected == ["gateway", "ns", "vp", "admin"])
        #expect((defaults.warningMs, defaults.criticalMs, defaults.dlqWarning, defaults.dlqCritical) == (500, 1000, 10, 100))
        #expect((defaults.storeWarning, defaults.storeCritical, defaults.timeout) == (90, 100, 10))
        #expect(defaults.pingURL == nil && !defaults.json)
        let chosen = try Self.parsed(["health", "--service", " redis , gateway", "--warning-ms", "200", "--critical-ms", "200", "--json",
                                      "--ping-url", "https://hc-ping.com/abc"], as: NSCtl.Health.self)
        #expect(chosen.selected == ["redis", "gateway"])
        #expect(chosen.warningMs == 200 && chosen.criticalMs == 200 && chosen.json)
        #expect(chosen.pingURL == "https://hc-ping.com/abc")
    }

    @Test("nsctl backup refuses a prune that could delete everything, and volumes named twice or unknown", arguments: [
        (["backup", "prune", "--keep-last", "0"], "--keep-last must be at least 1, so prune never deletes every backup"),
        (["backup", "prune", "--keep-last", "2", "--keep-daily=-1"], "--keep-daily must not be negative"),
        (["backup", "prune"], "--keep-last"),
        (["backup", "create", "ns-node-data", "ns-node-data"], "each volume may be named once"),
        (["backup", "ns-node-data", "cache-data"], "cache-data"),
    ])
    func backupRefusals(_ refused: (arguments: [String], expected: String)) throws {
        try Self.expectRefused(refused.arguments, saying: refused.expected)
    }

    @Test("nsctl backup VOLUME... is backup create, volumes in the order named; prune reads its retention")
    func backupValues() throws {
        let create = try Self.parsed(["backup", "admin-node-data", "ns-node-data", "--out", "/srv/backups"], as: NSCtl.Backup.Create.self)
        #expect(create.volumes.map(\.rawValue) == ["admin-node-data", "ns-node-data"])
        #expect(create.options.out == "/srv/backups")
        let prune = try Self.parsed(["backup", "prune", "--keep-last", "3", "--keep-daily", "7", "--yes"], as: NSCtl.Backup.Prune.self)
        #expect((prune.keepLast, prune.keepDaily, prune.yes) == (3, 7, true))
        #expect(try Self.parsed(["backup", "prune", "--keep-last", "1"], as: NSCtl.Backup.Prune.self).yes == false, "a dry run by default")
    }

    @Test("nsctl secrets gen refuses unknown secrets and --force with --rotate; takes several --rotate")
    func secrets() throws {
        let unknown = try #require(Self.refusal(["secrets", "gen", "--rotate", "NS_SIGNING_KEY"]))
        #expect(unknown.contains("--rotate NS_SIGNING_KEY is not a rotatable secret; choose from ADMIN_JWT_SECRET, GRAFANA_ADMIN_PASSWORD, "
            + "INTERNAL_TOKEN, JWT_SECRET, SESSION_SECRET"))
        let both = try #require(Self.refusal(["secrets", "gen", "--force", "--rotate", "JWT_SECRET"]))
        #expect(both.contains("--force and --rotate do not go together"))
        let rotate = try Self.parsed(["secrets", "gen", "--rotate", "JWT_SECRET", "--rotate", "INTERNAL_TOKEN"], as: NSCtl.Secrets.Generate.self)
        #expect(rotate.rotate == ["JWT_SECRET", "INTERNAL_TOKEN"])
        #expect(rotate.envFile == ".env" && !rotate.force)
    }

    @Test("nsctl token create refuses bad subjects, roles and lifetimes", arguments: [
        (["--sub", ""], "--sub must be 1 to"),
        (["--sub", String(repeating: "x", count: 1000)], "--sub must be 1 to"),
        (["--sub", "ci", "--role", "root"], "--role must be viewer, operator or admin"),
        (["--sub", "ci", "--ttl", "soon"], "--ttl soon is not a duration; write a number and s, m, h or d, e.g. 1h"),
        (["--sub", "ci", "--ttl", "5w"], "--ttl 5w has an unknown unit; use s, m, h or d"),
        (["--sub", "ci", "--ttl", "4000d"], "--ttl 4000d is longer than the limit"),
    ])
    func tokenRefusals(_ refused: (arguments: [String], expected: String)) throws {
        try Self.expectRefused(["token", "create"] + refused.arguments, saying: refused.expected)
    }

    @Test("lifetimes: s, m, h and d up to the limit")
    func lifetimes() throws {
        #expect(try NSCtl.Token.Create.lifetime("90s", maximum: .seconds(86_400)) == .seconds(90))
        #expect(try NSCtl.Token.Create.lifetime("15m", maximum: .seconds(86_400)) == .seconds(900))
        #expect(try NSCtl.Token.Create.lifetime("24h", maximum: .seconds(86_400)) == .seconds(86_400))
        #expect(throws: ValidationError.self) { try NSCtl.Token.Create.lifetime("2d", maximum: .seconds(86_400)) }
        let token = try Self.parsed(["token", "create", "--sub", "ci", "--admin"], as: NSCtl.Token.Create.self)
        #expect(token.ttl == "1h" && token.admin && token.role == nil)
    }

    @Test("nsctl submit refuses no file, stdin twice, unknown priorities, bad metadata and a zero wait", arguments: [
        (["-", "-"], "- (stdin) can be given once"),
        (["a.txt", "--priority", "urgent"], "--priority must be critical, high, normal or low"),
        (["a.txt", "--metadata", "novalue"], "--metadata novalue must be key=value"),
        (["a.txt", "--metadata", "bad key=v"], "--metadata bad key=v must be key=value"),
        (["a.txt", "--metadata", "=v"], "--metadata =v must be key=value"),
        (["a.txt", "--wait-timeout", "0"], "--wait-timeout must be above 0"),
        (["a.txt", "--timeout", "0"], "--timeout must be between 0 and 3600 seconds"),
    ])
    func submitRefusals(_ refused: (arguments: [String], expected: String)) throws {
        try Self.expectRefused(["submit"] + refused.arguments, saying: refused.expected)
    }

    @Test("nsctl submit reads files, priority and metadata (a value may hold '=')")
    func submitValues() throws {
        #expect(Self.refusal(["submit"]) != nil, "no file is refused")
        let submit = try Self.parsed(["submit", "a.txt", "-", "--priority", "high", "--metadata", "build.id=7=8", "--metadata", "team=core", "--wait"],
                                     as: NSCtl.Submit.self)
        #expect(submit.files == ["a.txt", "-"])
        #expect(submit.priority == "high" && submit.wait && submit.waitTimeout == 600)
        #expect(try submit.metadata() == ["build.id": "7=8", "team": "core"])
    }

    @Test("nsctl jobs: dead-letter retry and purge take exactly one selection; limits and roles are checked", arguments: [
        (["jobs", "dlq", "retry"], "name job ids or pass --all, not both"),
        (["jobs", "dlq", "retry", "job-1", "--all"], "name job ids or pass --all, not both"),
        (["jobs", "dlq", "retry", "job-1", "--type", "compile"], "--type goes with --all"),
        (["jobs", "dlq", "purge"], "choose exactly one of: job ids, --older-than AGE, --all"),
        (["jobs", "dlq", "purge", "--all", "--older-than", "1d"], "choose exactly one of: job ids, --older-than AGE, --all"),
        (["jobs", "dlq", "purge", "--older-than", "3x"], "--older-than 3x has an unknown unit"),
        (["jobs", "list", "--limit", "0"], "--limit must be 1 to 1000"),
        (["jobs", "list", "--limit", "1001"], "--limit must be 1 to 1000"),
        (["jobs", "list", "--role", "root"], "--role must be viewer, operator or admin"),
        (["audit", "tail", "--lines", "0"], "--lines must be at least 1"),
    ])
    func operatorRefusals(_ refused: (arguments: [String], expected: String)) throws {
        try Self.expectRefused(refused.arguments, saying: refused.expected)
    }

    @Test("nsctl jobs dlq purge --older-than and retry --all --type parse")
    func operatorValues() throws {
        let purge = try Self.parsed(["jobs", "dlq", "purge", "--older-than", "7d", "--yes"], as: NSCtl.Jobs.DeadLetters.Purge.self)
        #expect(purge.olderThan == "7d" && purge.yes && !purge.all)
        let retry = try Self.parsed(["jobs", "dlq", "retry", "--all", "--type", "compile", "--role", "admin"], as: NSCtl.Jobs.DeadLetters.Retry.self)
        #expect(retry.all && retry.type == "compile" && retry.options.role == "admin")
        #expect(retry.options.connection.requestTimeout == .seconds(10))
    }
}
