import CoreMetrics
import GRDB
import Logging
import Synchronization

/// Failures that have no caller to answer with an error: a background loop's store call, a WAL
/// checkpoint pass, a read made only for a log line, an unexpected error answered with a 500.
/// Each is counted in `ns_internal_errors_total{node,operation}` and logged with its reason, so
/// none goes unnoticed.
///
/// An operation that repeats while its cause lasts (a loop retrying every second) is logged at
/// most once per ``logInterval``; the next line carries `suppressed`, the number held back in
/// between. Every failure is counted, logged or not.
public final class InternalErrors: Sendable {
    /// One kind of failure: the `operation` label of its series and the message of its log line.
    public struct Operation: Sendable {
        let label: String
        let message: String
        let level: Logger.Level
        /// Repeating failures are rate-limited; one whose every line matters (it names a request's
        /// correlation id) is not.
        let throttled: Bool

        init(label: String, message: String, level: Logger.Level = .warning, throttled: Bool = true) {
            self.label = label
            self.message = message
            self.level = level
            self.throttled = throttled
        }
    }

    /// How often a repeating failure is logged.
    public static let logInterval = Duration.seconds(60)
    static let metric = "ns_internal_errors_total"

    /// The node that counts them, and the registry its series go to; `nil`: logged only.
    private let series: (node: String, factory: NodeMetricsFactory)?
    private let logger: Logger
    private let interval: Duration
    private let throttles = Mutex<[String: LogThrottle]>([:])

    /// Counts into `metrics` (none: logged only) and logs to `logger`, for operations that do not
    /// pass a logger of their own.
    public convenience init(metrics: NodeMetrics?, logger: Logger, logInterval: Duration = InternalErrors.logInterval) {
        self.init(series: metrics.map { ($0.node, $0.factory) }, logger: logger, logInterval: logInterval)
    }

    /// For ``NodeMetrics``, which owns its node's instance and cannot pass itself while it is made.
    init(series: (node: String, factory: NodeMetricsFactory)?, logger: Logger, logInterval: Duration = InternalErrors.logInterval) {
        self.series = series
        self.logger = logger
        self.interval = logInterval
    }

    /// Counts one failure of `operation` and logs it with `reason`, unless a throttled operation
    /// was logged less than ``logInterval`` ago. `reason` must carry no secret: pass a description
    /// made for logs (a `JobQueueError`'s) or ``reason(of:)``.
    func record(_ operation: Operation, reason: String, metadata: Logger.Metadata = [:], logger: Logger? = nil,
                at now: ContinuousClock.Instant = .now) {
        if let series {
            Counter(label: Self.metric, dimensions: [("node", series.node), ("operation", operation.label)], factory: series.factory).increment()
        }
        var suppressed = 0
        if operation.throttled {
            guard let heldBack = throttles.withLock({ $0[operation.label, default: LogThrottle(interval: interval)].admit(at: now) }) else { return }
            suppressed = heldBack
        }
        var metadata = metadata
        metadata["operation"] = .string(operation.label)
        metadata["reason"] = .string(reason)
        if suppressed > 0 { metadata["suppressed"] = .stringConvertible(suppressed) }
        (logger ?? self.logger).log(level: operation.level, "\(operation.message)", metadata: metadata)
    }

    /// An error's text for a log line. Only error types whose text is known to hold no secret and
    /// no request data are described; any other is named by its type alone, since a handler can
    /// throw anything (a client library's error may quote a header, or a URL with its password).
    ///
    /// Described: SQLite errors, as their code and SQLite's message (never the statement or its
    /// arguments), and cancellation. NeuroSwarm's own errors never get here: the problem mapping
    /// handles each, and background loops log their store errors' texts, which are written for logs.
    static func reason(of error: any Error) -> String {
        switch error {
        case let error as DatabaseError: NodeDatabase.describe(error)
        case is CancellationError: "cancelled"
        default: "\(String(reflecting: type(of: error))) (its text is not logged: it may hold request data)"
        }
    }
}
