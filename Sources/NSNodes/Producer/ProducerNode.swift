import AsyncHTTPClient
import Logging
import NSCore
import NSQueue

/// vp-node (port 3002): queue workers and the block producer. It depends on the queue store,
/// on ns-node (where it sends transactions and blocks) and on Redis when the queue lives there.
public enum ProducerNode {
    /// `queue` is the SQLite queue or the Redis one; `database` is the SQLite queue's store when
    /// that is the backend (its gauges are then read at each scrape; with Redis the workers'
    /// housekeeping refreshes them).
    public static func blueprint(queue: any JobQueue, database: NodeDatabase?, metrics: NodeMetrics, queueMetrics: QueueMetrics,
                                 nsNode: DependencyCheck, redis: DependencyCheck?, sandbox: CodeSandbox, operatorTokens: TokenVerifier,
                                 logger: Logger) -> NodeBlueprint {
        if let sqlite = queue as? SQLiteJobQueue {
            // A failed read leaves the last values.
            metrics.beforeScrape {
                if let counts = try? sqlite.countsNow() { queueMetrics.record(counts) }
            }
        }
        let operatorRoutes = OperatorRoutes(queue: queue, verifier: operatorTokens, logger: logger)
        let checks = (database.map { [$0.check()] } ?? []) + [nsNode, sandbox.check()] + (redis.map { [$0] } ?? [])
        return NodeBlueprint(checks: checks) { router in
            operatorRoutes.add(to: router)
        }
    }

    /// The queue workers: artifacts to transactions, sent to the ns-node at `nsNode`.
    public static func workers(queue: any JobQueue, nsNode: PeerAddress, token: Secret, count: Int, batch: Int, sanitizerMaxChars: Int, sandbox: CodeSandbox?,
                               metrics: NodeMetrics, queueMetrics: QueueMetrics?, logger: Logger) -> QueueWorkers {
        let cache = SanitiserCache(sanitiser: PromptSanitiser(maxCharacters: sanitizerMaxChars), metrics: metrics)
        return QueueWorkers(queue: queue, processor: ArtifactProcessor(sanitiser: cache, sandbox: sandbox, concurrentSnippets: count),
                     sender: TransactionSender(ledger: ledgerClient(nsNode, token)), count: count, batch: batch,
                     gauges: queue is SQLiteJobQueue ? nil : queueMetrics, logger: logger)
    }

    /// The block producer, posting to the ns-node at `nsNode` with the internal token.
    public static func blockProducer(nsNode: PeerAddress, token: Secret, key: LedgerKey, settings: LedgerSettings, metrics: NodeMetrics,
                                     logger: Logger) -> BlockProducer {
        BlockProducer(ledger: ledgerClient(nsNode, token), key: key,
                      settings: .init(interval: settings.blockInterval, maxTxs: settings.blockMaxTxs), metrics: metrics, logger: logger)
    }

    private static func ledgerClient(_ nsNode: PeerAddress, _ token: Secret) -> LedgerClient {
        LedgerClient(address: nsNode, token: token, timeout: .seconds(60), client: NodeHTTPClient.failFast)
    }
}
