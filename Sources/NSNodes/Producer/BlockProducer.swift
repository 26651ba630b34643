import Foundation
import Logging
import Metrics
import NSCore
import NSNodeClient
import ServiceLifecycle

/// vp-node's block producer: every `BLOCK_INTERVAL_MS` (or at once while the mempool still holds
/// a full block) it takes up to `BLOCK_MAX_TXS` pending transactions, builds the next block on
/// ns-node's tip, signs it with the producer key and posts it. A 409 means another producer won
/// the height: the block is rebuilt on the new tip straight away.
public struct BlockProducer: Service {
    public struct Settings: Sendable {
        public var interval: Duration
        public var maxTxs: Int

        public init(interval: Duration = .seconds(1), maxTxs: Int = 1_000) {
            self.interval = interval
            self.maxTxs = maxTxs
        }
    }

    /// What one round did.
    public enum Round: Sendable, Equatable {
        case idle
        case produced(height: UInt64, txs: Int)
        case lostRace
    }

    let ledger: LedgerCalls
    let key: LedgerKey
    let settings: Settings
    let metrics: NodeMetrics
    let logger: Logger

    init(ledger: LedgerCalls, key: LedgerKey, settings: Settings, metrics: NodeMetrics, logger: Logger) {
        self.ledger = ledger
        self.key = key
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        var failing = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var full = false
            do {
                if case .produced(_, let count) = try await round() { full = count == settings.maxTxs }
                if failing { logger.info("block production resumed") }
                failing = false
            } catch {
                // One line per outage, not one per interval.
                if !failing { logger.warning("block production failed; retrying every interval", metadata: ["reason": .string("\(error)")]) }
                failing = true
            }
            if full { continue }
            // Throws only when shutdown cuts the pause short; the loop's condition then ends it.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: settings.interval) }
        }
    }

    /// Builds and posts at most one block (retrying on a lost race a few times).
    ///
    /// The tip is read before the mempool: a transaction committed up to that tip has left the
    /// mempool by then, so a block lost to another producer comes back as a 409 (the height is
    /// taken) and is rebuilt, never as a duplicate transaction refused with 422.
    func round() async throws -> Round {
        for _ in 0..<3 {
            let (tip, frontier) = try await ledger.tip()
            // Read together, not atomically: a block appended between the two reads pairs a new
            // header with an old frontier. Read both again rather than build a block ns-node refuses.
            guard tip.logSize == frontier.size else { continue }
            let txs = try await ledger.mempool(limit: settings.maxTxs)
            guard !txs.isEmpty else { return .idle }
            let started = ContinuousClock.now
            let header = BlockBuilder.header(after: tip, frontier: frontier, txs: txs, timeMs: Int64(Date().timeIntervalSince1970 * 1000), key: key)
            let built = ContinuousClock.now
            let reply = try await ledger.produce(header: header, txs: txs)
            Timer(label: "ns_block_build_seconds", factory: metrics.factory).recordNanoseconds(Int64((built - started) / .nanoseconds(1)))
            Timer(label: "ns_block_submit_seconds", factory: metrics.factory).recordNanoseconds(Int64((ContinuousClock.now - built) / .nanoseconds(1)))
            switch reply.status {
            case 201:
                Counter(label: "ns_blocks_produced_total", factory: metrics.factory).increment()
                Recorder(label: "ns_block_txs", factory: metrics.factory).record(txs.count)
                logger.info("block produced", metadata: ["height": .stringConvertible(header.height), "txs": .stringConvertible(txs.count)])
                return .produced(height: header.height, txs: txs.count)
            case 409:
                Counter(label: "ns_block_races_lost_total", factory: metrics.factory).increment()
                continue
            default:
                throw NodeCallError(call: reply.call, failure: .problem(reply.problem))
            }
        }
        return .lostRace
    }
}
