@testable import NSCtlKit
import NSCore
import Testing

/// `nsctl health` as a monitoring plugin: the state and exit code, the status line and the
/// Nagios performance data that come out of the services' reports and vp-node's queue figures.
@Suite("health verdict and perfdata")
struct HealthVerdictTests {
    static let thresholds = HealthVerdict.Thresholds(warning: .milliseconds(500), critical: .milliseconds(1000), dlqWarning: 10, dlqCritical: 100)

    static func up(_ service: String, ms: Int) -> ServiceReport {
        ServiceReport(service: service, outcome: .up, latency: .milliseconds(ms))
    }

    static func verdict(_ reports: [ServiceReport], metrics: String? = nil, checksDeadLetters: Bool = false) -> HealthVerdict {
        HealthVerdict(reports: reports, queue: metrics.map { QueueFigures(metrics: $0) }, checksDeadLetters: checksDeadLetters, thresholds: thresholds)
    }

    @Test("exit codes follow the monitoring-plugin convention: OK 0, WARNING 1, CRITICAL 2, UNKNOWN 3")
    func exitCodes() {
        #expect(HealthVerdict.State.ok.rawValue == 0)
        #expect(HealthVerdict.State.warning.rawValue == 1)
        #expect(HealthVerdict.State.critical.rawValue == 2)
        #expect(HealthVerdict.State.unknown.rawValue == 3)
        #expect([HealthVerdict.State.ok, .warning, .critical, .unknown].map(\.name) == ["OK", "WARNING", "CRITICAL", "UNKNOWN"])
    }

    @Test("latency: below --warning-ms is OK, at it WARNING, at --critical-ms CRITICAL", arguments: [
        (499, HealthVerdict.State.ok), (500, .warning), (999, .warning), (1000, .critical), (5000, .critical),
    ])
    func latencyThresholds(_ threshold: (ms: Int, expected: HealthVerdict.State)) {
        let (ms, expected) = threshold
        let verdict = Self.verdict([Self.up("gateway-node", ms: ms)])
        #expect(verdict.state == expected)
        #expect(verdict.state.rawValue == expected.rawValue)
    }

    @Test("a node that is down or answers 503 is CRITICAL, however fast it answered")
    func downAndDegradedAreCritical() {
        let down = ServiceReport(service: "ns-node", outcome: .down("connection refused"), latency: nil)
        let degraded = ServiceReport(service: "vp-node", outcome: .degraded("failing: queue"), latency: .milliseconds(3))
        #expect(Self.verdict([down]).state == .critical)
        #expect(Self.verdict([degraded]).state == .critical)
        let line = Self.verdict([Self.up("gateway-node", ms: 4), down, degraded]).statusLine
        #expect(line.contains("ns-node down (connection refused)"))
        #expect(line.contains("vp-node degraded (failing: queue)"))
    }

    @Test("an answer without a measured latency is UNKNOWN")
    func upWithoutLatencyIsUnknown() {
        let verdict = Self.verdict([ServiceReport(service: "admin-node", outcome: .up, latency: nil)])
        #expect(verdict.state == .unknown)
        #expect(verdict.state.rawValue == 3)
    }

    @Test("the worst state wins, and UNKNOWN ranks below WARNING and CRITICAL")
    func worstStateWins() {
        let unknown = ServiceReport(service: "admin-node", outcome: .up, latency: nil)
        let down = ServiceReport(service: "ns-node", outcome: .down("timed out"), latency: nil)
        #expect(Self.verdict([Self.up("gateway-node", ms: 1), Self.up("vp-node", ms: 600)]).state == .warning)
        #expect(Self.verdict([Self.up("gateway-node", ms: 600), down]).state == .critical)
        #expect(Self.verdict([unknown, Self.up("gateway-node", ms: 600)]).state == .warning)
        #expect(Self.verdict([unknown, down]).state == .critical)
        #expect(Self.verdict([unknown, Self.up("gateway-node", ms: 1)]).state == .unknown)
        #expect(Self.verdict([]).state == .ok, "no service checked and no figure asked for is OK")
    }

    @Test("dead letters: counted against --dlq-warning and --dlq-critical; unreadable /metrics is UNKNOWN", arguments: [
        (9, HealthVerdict.State.ok), (10, .warning), (99, .warning), (100, .critical),
    ])
    func deadLetterThresholds(_ threshold: (count: Int, expected: HealthVerdict.State)) {
        let (count, expected) = threshold
        let verdict = Self.verdict([Self.up("vp-node", ms: 2)], metrics: "ns_queue_jobs{state=\"dead_letter\"} \(count)", checksDeadLetters: true)
        #expect(verdict.deadLetters == count)
        #expect(verdict.deadLetterState == expected)
        #expect(verdict.state == expected)
    }

    @Test("vp-node checked but its /metrics silent: the dead-letter figure is UNKNOWN and says so")
    func deadLettersUnknown() {
        let verdict = Self.verdict([Self.up("vp-node", ms: 2)], checksDeadLetters: true)
        #expect(verdict.deadLetterState == .unknown)
        #expect(verdict.state == .unknown)
        #expect(verdict.statusLine.contains("dlq unknown (vp-node /metrics did not answer)"))
        #expect(verdict.performanceData == "vp=0.002s;0.5;1;0 dlq=;10;100;0")
    }

    @Test("vp-node not checked: no dead-letter figure, state or perfdata")
    func deadLettersNotChecked() {
        let verdict = Self.verdict([Self.up("gateway-node", ms: 2)], metrics: "ns_queue_jobs{state=\"dead_letter\"} 500")
        #expect(verdict.deadLetterState == .ok)
        #expect(verdict.state == .ok)
        #expect(!verdict.statusLine.contains("dlq"))
        #expect(verdict.performanceData == "gateway=0.002s;0.5;1;0")
    }

    @Test("queue store fill: WARNING at --store-warning percent, CRITICAL at --store-critical, nothing when the store has no limit")
    func storeFill() {
        func verdict(used: Int, limit: Int) -> HealthVerdict {
            Self.verdict([Self.up("vp-node", ms: 1)], metrics: """
                ns_queue_jobs{state="dead_letter"} 0
                ns_queue_store_bytes \(used)
                ns_queue_store_limit_bytes \(limit)
                """, checksDeadLetters: true)
        }
        #expect(verdict(used: 89, limit: 100).storeState == .ok)
        #expect(verdict(used: 90, limit: 100).storeState == .warning)
        #expect(verdict(used: 100, limit: 100).storeState == .critical)
        #expect(verdict(used: 100, limit: 100).state == .critical)
        let unlimited = verdict(used: 5_000_000, limit: 0)
        #expect(unlimited.queue?.storePercent == nil)
        #expect(unlimited.storeState == .ok)
        #expect(!unlimited.performanceData.contains("queue_store"))
        let half = verdict(used: 50 * 1_048_576, limit: 100 * 1_048_576)
        #expect(half.performanceData.hasSuffix(" queue_store=50.0%;90;100;0;100"))
        #expect(half.statusLine.contains("queue store 50.0 MiB of 100.0 MiB (50%)"))
    }

    @Test("perfdata: label=value with unit;warn;crit;min per service, in seconds, empty value when down")
    func performanceData() {
        let verdict = Self.verdict([
            Self.up("gateway-node", ms: 4),
            ServiceReport(service: "ns-node", outcome: .down("connection refused"), latency: nil),
            ServiceReport(service: "redis", outcome: .up, latency: .microseconds(1500)),
        ], metrics: "ns_queue_jobs{state=\"dead_letter\",type=\"a\"} 2\nns_queue_jobs{state=\"dead_letter\",type=\"b\"} 1", checksDeadLetters: true)
        #expect(verdict.performanceData == "gateway=0.004s;0.5;1;0 ns=;0.5;1;0 redis=0.0015s;0.5;1;0 dlq=3;10;100;0")
        #expect(verdict.statusLine.hasSuffix(" | " + verdict.performanceData))
    }

    @Test("the status line names the state and lists the worst services first")
    func statusLine() {
        let verdict = Self.verdict([Self.up("gateway-node", ms: 4), Self.up("vp-node", ms: 700),
                                    ServiceReport(service: "ns-node", outcome: .down("timed out"), latency: nil)])
        let painted = HealthVerdict.State.critical.painted
        #expect(verdict.statusLine == "NEUROSWARM \(painted) - ns-node down (timed out); vp-node 700 ms; gateway-node 4 ms"
            + " | gateway=0.004s;0.5;1;0 vp=0.7s;0.5;1;0 ns=;0.5;1;0")
        let lines = verdict.detailLines
        #expect(lines.count == 3)
        #expect(lines[0] == "gateway-node: \(HealthVerdict.State.ok.painted) - gateway-node 4 ms")
        #expect(lines[1] == "vp-node: \(HealthVerdict.State.warning.painted) - vp-node 700 ms")
        #expect(lines[2] == "ns-node: \(painted) - ns-node down (timed out)")
    }

    @Test("vp-node's metrics: dead letters summed over every series, other states and comments ignored")
    func queueFiguresFromMetrics() {
        let figures = QueueFigures(metrics: """
            # HELP ns_queue_jobs Jobs by state
            # TYPE ns_queue_jobs gauge
            ns_queue_jobs{state="dead_letter",type="compile"} 4
            ns_queue_jobs{state="pending",type="compile"} 70
            ns_queue_jobs{state="dead_letter",type="test"} 3
            ns_queue_store_bytes 1024
            ns_queue_store_limit_bytes 4096
            """)
        #expect(figures.deadLetters == 7)
        #expect(figures.storeBytes == 1024)
        #expect(figures.storePercent == 25)
        #expect(QueueFigures(metrics: "ns_queue_jobs{state=\"pending\"} 5\n").deadLetters == nil, "no dead-letter series: unknown, not 0")
    }

    @Test("--json carries the state, exit code, each service's figures and an unknown dead-letter count as null")
    func jsonForm() {
        let verdict = Self.verdict([Self.up("gateway-node", ms: 600),
                                    ServiceReport(service: "ns-node", outcome: .down("timed out"), latency: nil)], checksDeadLetters: true)
        let json = HealthJSON.render(verdict)
        #expect(json["state"] == "CRITICAL")
        #expect(json["exitCode"] == .int(2))
        #expect(json["deadLetters"] == .null)
        #expect(json["services"] == .array([
            .object(["service": "gateway-node", "state": "WARNING", "status": "up", "latencyMs": .int(600)]),
            .object(["service": "ns-node", "state": "CRITICAL", "status": "down", "reason": "timed out"]),
        ]))
    }

    @Test("perfdata labels are the --service names; durations print in seconds without trailing zeros")
    func labelsAndSeconds() {
        #expect(HealthVerdict.label("gateway-node") == "gateway")
        #expect(HealthVerdict.label("redis") == "redis")
        #expect(HealthVerdict.seconds(.seconds(2)) == "2")
        #expect(HealthVerdict.seconds(.milliseconds(1250)) == "1.25")
        #expect(HealthVerdict.seconds(.microseconds(7)) == "0.000007")
        #expect(HealthVerdict.milliseconds(nil) == "?")
        #expect(HealthVerdict.milliseconds(.microseconds(2600)) == "3 ms")
    }
}
