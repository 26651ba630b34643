import Foundation
import Logging
import Metrics
import NSCore
import ServiceLifecycle

/// admin-node's anchoring of its audit head in the ledger: a round (``AuditAnchorer``) at start
/// and then every `AUDIT_ANCHOR_INTERVAL_MS`, so a new entry is anchored within one interval.
///
/// It runs beside the routes and never holds them up: admin actions append to the trail as
/// before, whether ns-node answers or not, and a round that fails is simply tried again the next
/// interval. An idle trail costs one read of its head per interval and nothing else: no request,
/// no transaction, so the ledger grows only with new entries (at most one anchor per interval).
///
/// Metrics: `ns_audit_head_sequence`, `ns_audit_anchored_sequence` and
/// `ns_audit_anchor_failures_total{reason}`. A failing round is logged when its reason changes
/// and then every ``logInterval`` while it persists; the first success after failures says so.
public struct AuditAnchorService: Service {
    /// How often the same failure is logged again while it lasts.
    static let logInterval = Duration.seconds(600)
    static let logIntervalText = "logged every \(logInterval.components.seconds / 60) minutes"

    let audit: any AdminStore
    let ledger: AuditAnchorLedger
    let interval: Duration
    let factory: NodeMetricsFactory
    let logger: Logger

    /// - Parameters:
    ///   - store: admin-node's store, whose audit trail is anchored.
    ///   - nsNode: where ns-node listens; `internalToken` authorises `POST /tx`.
    ///   - interval: `AUDIT_ANCHOR_INTERVAL_MS`, the longest a new entry waits to be anchored
    ///     while ns-node answers.
    public init(store: any AdminStore, nsNode: PeerAddress, internalToken: Secret, interval: Duration, metrics: NodeMetrics, logger: Logger) {
        self.audit = store
        self.ledger = AuditAnchorLedger(nsNode: nsNode, token: internalToken)
        self.interval = interval
        self.factory = metrics.factory
        self.logger = logger
    }

    public func run() async throws {
        var anchorer = AuditAnchorer(audit: audit, ledger: ledger)
        var reporter = Reporter(logger: logger)
        let headGauge = Gauge(label: "ns_audit_head_sequence", dimensions: [], factory: factory)
        let anchoredGauge = Gauge(label: "ns_audit_anchored_sequence", dimensions: [], factory: factory)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let outcome = await anchorer.round()
            if let anchored = anchorer.anchored { anchoredGauge.record(anchored.sequence) }
            switch outcome {
            case .unchanged(let head), .anchored(let head):
                headGauge.record(head)
                reporter.succeeded(outcome)
            case .failed(let failure):
                if Task.isShuttingDownGracefully || Task.isCancelled { break }
                Counter(label: "ns_audit_anchor_failures_total", dimensions: [("reason", failure.reason)], factory: factory).increment()
                reporter.failed(failure)
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }  // shutdown ends the wait early: nothing to report
        }
    }

    /// The rate-limited log of rounds.
    struct Reporter {
        let logger: Logger
        private var lastLogged: (reason: String, at: ContinuousClock.Instant)?
        private var failures = 0

        init(logger: Logger) {
            self.logger = logger
        }

        mutating func succeeded(_ outcome: AuditAnchorer.Outcome) {
            if case .anchored(let head) = outcome {
                logger.debug("audit head anchored in the ledger", metadata: ["sequence": .stringConvertible(head)])
            }
            if failures > 0 {
                logger.info("audit anchoring works again", metadata: ["failedRounds": .stringConvertible(failures), "outcome": .string("\(outcome)")])
            }
            failures = 0
            lastLogged = nil
        }

        mutating func failed(_ failure: AuditAnchorer.Failure) {
            failures += 1
            let now = ContinuousClock.now
            if let last = lastLogged, last.reason == failure.reason, now - last.at < AuditAnchorService.logInterval { return }
            lastLogged = (failure.reason, now)
            let metadata: Logger.Metadata = ["reason": .string(failure.reason), "detail": .string(failure.description)]
            if failure.reason == "conflict" {
                logger.error("""
                    the audit trail does not hold the head anchored in the ledger; nothing more is anchored until it does \
                    (restore admin-node-data from a backup; \(AuditAnchorService.logIntervalText))
                    """, metadata: metadata)
            } else {
                logger.warning("the audit head could not be anchored in the ledger; retrying every interval (\(AuditAnchorService.logIntervalText))",
                               metadata: metadata)
            }
        }
    }
}
