import NSCore
import Synchronization

/// Sends workers' transactions to ns-node `POST /tx`, gathering those that arrive together into
/// one request (up to `maxBatch`, waiting at most `linger` for company).
///
/// Outcome per transaction: accepted; refused (4xx, the transaction is invalid: a permanent
/// failure); or unavailable (ns-node down, 5xx, mempool full: retry later). When a batch is
/// refused, its transactions are sent one by one so only the invalid ones fail.
///
/// A caller whose task is cancelled (shutdown past its grace period) gets `unavailable` at once,
/// even while its request is still in flight: it must not hold the process open. Whether ns-node
/// took that transaction is then unknown; the job's attempt is retried and ns-node treats the
/// same transaction again as a duplicate.
actor TransactionSender {
    enum Outcome: Sendable, Equatable {
        case accepted
        case refused(String)
        case unavailable(String)
    }

    private let ledger: LedgerClient
    private let maxBatch: Int
    private let linger: Duration
    private var pending: [(tx: LedgerTransaction, reply: Reply)] = []
    private var flushScheduled = false

    init(ledger: LedgerClient, maxBatch: Int = 256, linger: Duration = .milliseconds(2)) {
        self.ledger = ledger
        self.maxBatch = maxBatch
        self.linger = linger
    }

    func send(_ tx: LedgerTransaction) async -> Outcome {
        let slot = ReplySlot()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let reply = Reply(continuation)
                slot.hold(reply)
                guard !Task.isCancelled else { return reply.resume(Self.cancelled) }
                pending.append((tx, reply))
                if pending.count >= maxBatch {
                    flushNow()
                } else if !flushScheduled {
                    flushScheduled = true
                    Task { try? await Task.sleep(for: linger); self.flushNow() }
                }
            }
        } onCancel: {
            slot.resume(Self.cancelled)
        }
    }

    static let cancelled = Outcome.unavailable("vp-node is shutting down; the transaction's fate is unknown and the job will be retried")

    private func flushNow() {
        flushScheduled = false
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll()
        Task { await self.deliver(batch) }
    }

    private func deliver(_ batch: [(tx: LedgerTransaction, reply: Reply)]) async {
        let outcome = await post(batch.map(\.tx))
        if case .refused = outcome, batch.count > 1 {
            for entry in batch { entry.reply.resume(await post([entry.tx])) }
            return
        }
        for entry in batch { entry.reply.resume(outcome) }
    }

    private func post(_ txs: [LedgerTransaction]) async -> Outcome {
        do {
            let (status, body) = try await ledger.submit(txs)
            switch status {
            case 200..<300: return .accepted
            case 400..<500 where status != 429: return .refused("ns-node refused the transaction (HTTP \(status)): \(body.prefix(300))")
            default: return .unavailable("ns-node answered HTTP \(status)")
            }
        } catch {
            return .unavailable("\(error)")
        }
    }
}

/// A caller's continuation, resumed exactly once: by the delivery or by cancellation, whichever
/// comes first.
final class Reply: Sendable {
    private let continuation: Mutex<CheckedContinuation<TransactionSender.Outcome, Never>?>

    init(_ continuation: CheckedContinuation<TransactionSender.Outcome, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ outcome: TransactionSender.Outcome) {
        let waiting = continuation.withLock { held in
            defer { held = nil }
            return held
        }
        waiting?.resume(returning: outcome)
    }
}

/// Where the cancellation handler finds the caller's ``Reply`` (it may run before the reply exists).
final class ReplySlot: Sendable {
    private let state = Mutex<(reply: Reply?, cancelled: TransactionSender.Outcome?)>((nil, nil))

    func hold(_ reply: Reply) {
        let early = state.withLock { state in
            state.reply = reply
            return state.cancelled
        }
        if let early { reply.resume(early) }
    }

    func resume(_ outcome: TransactionSender.Outcome) {
        let reply = state.withLock { state in
            state.cancelled = outcome
            return state.reply
        }
        reply?.resume(outcome)
    }
}
