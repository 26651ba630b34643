import NSRedis

/// Turns service reports into the monitoring-plugin verdict: a state with its exit code, one
/// status line with performance data, and one line per service.
struct HealthVerdict: Sendable {
    enum State: Int32, Comparable, Sendable {
        case ok = 0, warning = 1, critical = 2, unknown = 3

        var name: String {
            switch self {
            case .ok: "OK"
            case .warning: "WARNING"
            case .critical: "CRITICAL"
            case .unknown: "UNKNOWN"
            }
        }

        /// The name, coloured on a terminal.
        var painted: String {
            switch self {
            case .ok: Terminal.paint(name, .green)
            case .warning: Terminal.paint(name, .yellow)
            case .critical: Terminal.paint(name, .red)
            case .unknown: Terminal.paint(name, .grey)
            }
        }

        /// Severity, for combining states: CRITICAL > WARNING > UNKNOWN > OK (a service that is down
        /// must not be reported as merely unknown because another figure could not be read).
        var severity: Int {
            switch self {
            case .ok: 0
            case .unknown: 1
            case .warning: 2
            case .critical: 3
            }
        }

        static func < (lhs: State, rhs: State) -> Bool { lhs.severity < rhs.severity }
    }

    struct Thresholds: Sendable {
        var warning: Duration
        var critical: Duration
        var dlqWarning: Int
        var dlqCritical: Int
        /// Percent of the queue store's limit (Redis `maxmemory`, or the disk under SQLite).
        var storeWarning: Double = 90
        var storeCritical: Double = 100
    }

    let reports: [ServiceReport]
    /// vp-node's queue figures; `nil` when its `/metrics` did not answer.
    let queue: QueueFigures?
    /// Whether the queue figures were asked for (vp-node checked); `nil` then means unknown.
    let checksDeadLetters: Bool
    let thresholds: Thresholds
    /// The ages of the `.env`'s secrets; `nil` when there is no `.env` to read them from.
    let secrets: SecretAges?
    /// What the sentinels say, when Redis is found through Sentinel (HealthVerdict+Sentinel.swift).
    let sentinel: RedisSentinelStatus?

    var deadLetters: Int? { queue?.deadLetters }

    init(reports: [ServiceReport], queue: QueueFigures?, checksDeadLetters: Bool, thresholds: Thresholds, secrets: SecretAges? = nil,
         sentinel: RedisSentinelStatus? = nil) {
        self.secrets = secrets
        self.sentinel = sentinel
        self.reports = reports
        self.queue = queue
        self.checksDeadLetters = checksDeadLetters
        self.thresholds = thresholds
    }

    func state(of report: ServiceReport) -> State {
        switch report.outcome {
        case .down, .degraded: return .critical
        case .up, .partlyDown:
            let floor: State = report.outcome == .up ? .ok : .warning
            guard let latency = report.latency else { return max(floor, .unknown) }
            if latency >= thresholds.critical { return .critical }
            return max(floor, latency >= thresholds.warning ? .warning : .ok)
        }
    }

    var deadLetterState: State {
        guard checksDeadLetters else { return .ok }
        guard let deadLetters else { return .unknown }
        if deadLetters >= thresholds.dlqCritical { return .critical }
        return deadLetters >= thresholds.dlqWarning ? .warning : .ok
    }

    /// WARNING or CRITICAL by the store's fill; OK when the store has no limit to fill (Redis
    /// without `maxmemory`) or vp-node was not checked.
    var storeState: State {
        guard checksDeadLetters, let percent = queue?.storePercent else { return .ok }
        if percent >= thresholds.storeCritical { return .critical }
        return percent >= thresholds.storeWarning ? .warning : .ok
    }

    var state: State {
        (reports.map(state(of:)) + [deadLetterState, storeState, secretState, sentinelState]).max() ?? .unknown
    }

    /// `45.1 MiB of 48.0 MiB (94%)`: the queue store's fill, when it has a limit.
    private var storeSummary: String? {
        guard checksDeadLetters, let used = queue?.storeBytes, let percent = queue?.storePercent, let limit = queue?.storeLimitBytes else { return nil }
        return String(format: "%.1f MiB of %.1f MiB (%.0f%%)", used / 1_048_576, limit / 1_048_576, percent)
    }

    /// `NEUROSWARM CRITICAL - ns-node down (connection refused); gateway 4 ms | gateway=0.004s;0.5;1;0 ...`
    var statusLine: String {
        let ordered = reports.sorted { state(of: $0) > state(of: $1) }
        var parts = ordered.map(summary)
        if checksDeadLetters {
            parts.append(deadLetters.map { "dlq \($0)" } ?? "dlq unknown (vp-node /metrics did not answer)")
        }
        if let storeSummary { parts.append("queue store " + storeSummary) }
        if let secretSummary { parts.append("secrets " + secretSummary) }
        if let sentinelSummary { parts.append("sentinel " + sentinelSummary) }
        return "NEUROSWARM \(state.painted) - \(parts.joined(separator: "; ")) | \(performanceData)"
    }

    /// One line per service (and the dead-letter queue).
    var detailLines: [String] {
        var lines = reports.map { "\($0.service): \(state(of: $0).painted) - \(summary($0))" }
        if checksDeadLetters {
            lines.append("dead-letter queue: \(deadLetterState.painted) - " + (deadLetters.map { "\($0) jobs" } ?? "count unknown (vp-node /metrics did not answer)"))
        }
        if let storeSummary { lines.append("queue store: \(storeState.painted) - " + storeSummary) }
        if let secretSummary { lines.append("secrets: \(secretState.painted) - " + secretSummary) }
        if let sentinelSummary { lines.append("sentinel: \(sentinelState.painted) - " + sentinelSummary) }
        return lines
    }

    var performanceData: String {
        var items = reports.map { report in
            "\(Self.label(report.service))=\(report.latency.map { Self.seconds($0) + "s" } ?? "");\(Self.seconds(thresholds.warning));\(Self.seconds(thresholds.critical));0"
        }
        if checksDeadLetters {
            items.append("dlq=\(deadLetters.map(String.init) ?? "");\(thresholds.dlqWarning);\(thresholds.dlqCritical);0")
            if let percent = queue?.storePercent {
                items.append(String(format: "queue_store=%.1f%%;%g;%g;0;100", percent, thresholds.storeWarning, thresholds.storeCritical))
            }
        }
        if let secretPerformanceData { items.append(secretPerformanceData) }
        if let sentinelPerformanceData { items.append(sentinelPerformanceData) }
        return items.joined(separator: " ")
    }

    private func summary(_ report: ServiceReport) -> String {
        switch report.outcome {
        case .up: "\(report.service) \(Self.milliseconds(report.latency))"
        case .degraded(let reason): "\(report.service) degraded (\(reason))"
        case .down(let reason): "\(report.service) down (\(reason))"
        case .partlyDown(let reason): "\(report.service) \(Self.milliseconds(report.latency)), partly down (\(reason))"
        }
    }

    /// Perfdata labels are the short service names the `--service` flag takes.
    static func label(_ service: String) -> String {
        service.hasSuffix("-node") ? String(service.dropLast("-node".count)) : service
    }

    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration / .microseconds(1)) / 1_000_000
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    static func milliseconds(_ duration: Duration?) -> String {
        guard let duration else { return "?" }
        return "\(Int((duration / .milliseconds(1)).rounded())) ms"
    }
}
