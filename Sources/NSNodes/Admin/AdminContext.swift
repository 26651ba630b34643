import Foundation
import NSCore

/// Everything admin-node's routes share: who may do what, where the other nodes are, the
/// audit trail, the sessions and the page renderer.
struct AdminContext: Sendable {
    let access: AdminAccess
    let sessions: SessionStore
    let audit: AdminAudit
    let peers: AdminPeers
    let pages: AdminPages
    let cookie: SessionCookie
    let rates: RateSampler

    /// Runs an action for `actor` with its audit entries; none runs without them. A change to the
    /// ``AdminStore`` is committed with its entry. A call to another node is audited as
    /// ``AdminAudit/requested`` before it is made (a refused entry: 503, no call), then with its
    /// outcome, `ok` or `failed: <detail>`.
    func perform(_ action: AdminAction, actor: AdminAccess.Actor, form: AdminForm, requestID: String,
                 context: NodeRequestContext) async throws -> String {
        let event = AdminAudit.event(actor, action.auditName, target: action.target(form), outcome: AdminAudit.requested, context)
        switch action.effect {
        case .local(let change):
            var done = event
            done.outcome = "ok"
            return try await change(self, form, done, context.logger)
        case .call(let call):
            try await audit.record(event, logger: context.logger)
            var outcome = event
            do {
                let message = try await call(self, actor, form, requestID)
                outcome.outcome = "ok"
                await audit.recordOutcome(outcome, logger: context.logger)
                return message
            } catch {
                outcome.outcome = "failed: \((error as? AdminError)?.detail ?? String(describing: error))"
                await audit.recordOutcome(outcome, logger: context.logger)
                throw error
            }
        }
    }
}

/// Queue and ledger totals sampled when the overview is shown, so it can show rates over the
/// last minutes without a background task.
actor RateSampler {
    private var samples: [(time: ContinuousClock.Instant, completed: Int64, logSize: Int64)] = []
    private let window: Duration

    init(window: Duration = .seconds(300)) {
        self.window = window
    }

    /// Records a sample and returns jobs completed and transactions committed per minute since
    /// the oldest sample in the window, or nil with fewer than two samples 10 s apart.
    func record(completed: Int64, logSize: Int64) -> (jobsPerMinute: Double, txsPerMinute: Double, over: Duration)? {
        let now = ContinuousClock.now
        samples.append((now, completed, logSize))
        samples.removeAll { now - $0.time > window }
        guard let first = samples.first, now - first.time >= .seconds(10) else { return nil }
        let minutes = (now - first.time) / .seconds(60)
        return (Double(completed - first.completed) / minutes, Double(logSize - first.logSize) / minutes, now - first.time)
    }
}
