import NSCore
import NSNodeClient
import Synchronization

/// Sends workers' transactions to ns-node `POST /tx`, gathering those that arrive together into
/// one request (up to `maxBatch`, waiting at most `linger` for company).
///
/// Outcome per transaction: accepted, with the hash of the transaction ns-node holds for its job;
/// refused (4xx, the transaction is invalid: a permanent failure); or unavailable (ns-node down,
/// 5xx, mempool full: retry later). When a batch is refused, its transactions are sent one by one
/// so only the invalid ones fail.
///
/// Every request asks ns-node to keep one transaction per job id (`POST /tx?dedupe=job`): a job
/// worked again (its queue restored from a backup taken before it completed, or its lease lost
/// after ns-node took its transaction) is answered with the transaction ns-node already holds,
/// which may differ from the one sent (a code job's sandbox outcome records its duration), and
/// the job must complete with that hash. Asking in the request that stores the transaction,
/// rather than looking the job id up before working the job, costs the hot path no extra round
/// trip, and stays right when two vp-nodes race on one recovered job: ns-node's single writer
/// decides which transaction is kept and answers both with it. A lookup first could not: both
/// racers would find nothing and both send. The price is that a recovered code job runs its
/// snippet again before its outcome is dropped in favour of the one held.
///
/// A caller whose task is cancelled (shutdown past its grace period) gets `unavailable` at once,
/// even while its request is still in flight: it must not hold the process open. Whether ns-node
/// took that transaction is then unknown; the job's attempt is retried and ns-node answers it
/// with the transaction it took, if any.
actor TransactionSender {
    enum Outcome: Sendable, Equatable {
        /// ns-node holds a transaction for the job: `txHash` names it. `duplicateJob`: it held one
        /// before, and the transaction sent was not stored.
        case accepted(txHash: String, duplicateJob: Bool)
        case refused(String)
        case unavailable(String)
    }

    private let ledger: LedgerCalls
    private let maxBatch: Int
    private let linger: Duration
    private var pending: [(tx: LedgerTransaction, reply: Reply)] = []
    private var flushScheduled = false

    init(ledger: LedgerCalls, maxBatch: Int = 256, linger: Duration = .milliseconds(2)) {
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
                    // Nothing cancels this task; were the sleep cut short, the batch would only go out sooner.
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
        let outcomes = await post(batch.map(\.tx))
        if case .refused = outcomes.first, batch.count > 1 {
            for entry in batch { entry.reply.resume(await post([entry.tx])[0]) }
            return
        }
        for (entry, outcome) in zip(batch, outcomes) { entry.reply.resume(outcome) }
    }

    /// One outcome per transaction, in order.
    private func post(_ txs: [LedgerTransaction]) async -> [Outcome] {
        let reply: NodeReply
        do {
            reply = try await ledger.submit(txs, onePerJob: true)
        } catch {
            return Array(repeating: .unavailable("\(error)"), count: txs.count)
        }
        let (status, body) = (reply.status, reply.text)
        switch status {
        case 200..<300:
            guard let receipts = Self.receipts(body), receipts.count == txs.count else {
                return Array(repeating: .unavailable("ns-node answered POST /tx without a receipt for each transaction"), count: txs.count)
            }
            return receipts
        case 400..<500 where status != 429:
            return Array(repeating: .refused("ns-node refused the transaction (HTTP \(status)): \(body.prefix(300))"), count: txs.count)
        default:
            return Array(repeating: .unavailable("ns-node answered HTTP \(status)"), count: txs.count)
        }
    }

    /// The `accepted` outcomes of a `POST /tx` answer, `{"receipts": [{"txHash", "duplicateJob"?, ...}]}`;
    /// `nil` when it is not one.
    static func receipts(_ body: String) -> [Outcome]? {
        let value: JSONValue
        do {
            value = try CanonicalJSON.decode(Array(body.utf8))
        } catch {
            return nil
        }
        guard let receipts = value["receipts"]?.arrayValue else { return nil }
        let outcomes = receipts.compactMap { receipt -> Outcome? in
            guard let hash = receipt["txHash"]?.stringValue, Hex.isLowercase(hash, byteCount: 32) else { return nil }
            return .accepted(txHash: hash, duplicateJob: receipt["duplicateJob"] == .bool(true))
        }
        return outcomes.count == receipts.count ? outcomes : nil
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
