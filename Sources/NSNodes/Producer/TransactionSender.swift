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
        let reply = Reply()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // Already answered (cancelled before the continuation existed): nothing to send.
                guard reply.attach(continuation) else { return }
                pending.append((tx, reply))
                if pending.count >= maxBatch {
                    flushNow()
                } else if !flushScheduled {
                    flushScheduled = true
                    Task { try? await Task.sleep(for: linger); self.flushNow() }
                }
            }
        } onCancel: {
            reply.resume(Self.cancelled)
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

/// A caller's answer, given exactly once: by the delivery or by cancellation, whichever comes
/// first. Cancellation may come before the caller's continuation exists; the answer then waits
/// for it.
final class Reply: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<TransactionSender.Outcome, Never>)
        case answered(TransactionSender.Outcome)
        case done
    }

    private let state = Mutex(State.empty)

    /// Hands over the caller's continuation; `false` when the answer was already given (and the
    /// continuation resumed with it).
    func attach(_ continuation: CheckedContinuation<TransactionSender.Outcome, Never>) -> Bool {
        let early: TransactionSender.Outcome? = state.withLock { state in
            guard case .answered(let outcome) = state else {
                state = .waiting(continuation)
                return nil
            }
            state = .done
            return outcome
        }
        guard let early else { return true }
        continuation.resume(returning: early)
        return false
    }

    func resume(_ outcome: TransactionSender.Outcome) {
        let waiting: CheckedContinuation<TransactionSender.Outcome, Never>? = state.withLock { state in
            switch state {
            case .empty:
                state = .answered(outcome)
                return nil
            case .waiting(let continuation):
                state = .done
                return continuation
            case .answered, .done:
                return nil
            }
        }
        waiting?.resume(returning: outcome)
    }
}
