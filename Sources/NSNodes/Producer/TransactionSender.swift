import NSCore

/// Sends workers' transactions to ns-node `POST /tx`, gathering those that arrive together into
/// one request (up to `maxBatch`, waiting at most `linger` for company).
///
/// Outcome per transaction: accepted; refused (4xx, the transaction is invalid: a permanent
/// failure); or unavailable (ns-node down, 5xx, mempool full: retry later). When a batch is
/// refused, its transactions are sent one by one so only the invalid ones fail.
actor TransactionSender {
    enum Outcome: Sendable, Equatable {
        case accepted
        case refused(String)
        case unavailable(String)
    }

    private let ledger: LedgerClient
    private let maxBatch: Int
    private let linger: Duration
    private var pending: [(tx: LedgerTransaction, reply: CheckedContinuation<Outcome, Never>)] = []
    private var flushScheduled = false

    init(ledger: LedgerClient, maxBatch: Int = 256, linger: Duration = .milliseconds(2)) {
        self.ledger = ledger
        self.maxBatch = maxBatch
        self.linger = linger
    }

    func send(_ tx: LedgerTransaction) async -> Outcome {
        await withCheckedContinuation { continuation in
            pending.append((tx, continuation))
            if pending.count >= maxBatch {
                flushNow()
            } else if !flushScheduled {
                flushScheduled = true
                Task { try? await Task.sleep(for: linger); self.flushNow() }
            }
        }
    }

    private func flushNow() {
        flushScheduled = false
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll()
        Task { await self.deliver(batch) }
    }

    private func deliver(_ batch: [(tx: LedgerTransaction, reply: CheckedContinuation<Outcome, Never>)]) async {
        let outcome = await post(batch.map(\.tx))
        if case .refused = outcome, batch.count > 1 {
            for entry in batch { entry.reply.resume(returning: await post([entry.tx])) }
            return
        }
        for entry in batch { entry.reply.resume(returning: outcome) }
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
