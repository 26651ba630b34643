import AsyncHTTPClient
import Foundation
import NIOCore
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

    private let address: PeerAddress
    private let token: Secret
    private let client: HTTPClient
    private let maxBatch: Int
    private let linger: Duration
    private var pending: [(tx: LedgerTransaction, reply: CheckedContinuation<Outcome, Never>)] = []
    private var flushScheduled = false

    init(address: PeerAddress, token: Secret, client: HTTPClient = .shared, maxBatch: Int = 256, linger: Duration = .milliseconds(2)) {
        self.address = address
        self.token = token
        self.client = client
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
        var request = HTTPClientRequest(url: (await address.url()).absoluteString.trimmingSuffix("/") + "/tx")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token.reveal())")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: CanonicalJSON.encode(.array(txs.map(\.value)))))
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            switch response.status.code {
            case 200..<300: return .accepted
            case 400..<500 where response.status.code != 429: return .refused("ns-node refused the transaction (HTTP \(response.status.code)): \(body.prefix(300))")
            default: return .unavailable("ns-node answered HTTP \(response.status.code)")
            }
        } catch {
            return .unavailable("ns-node did not answer (\(NetworkFailure.describe(error)))")
        }
    }
}
