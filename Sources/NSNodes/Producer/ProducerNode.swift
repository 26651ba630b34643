import Logging
import NSCore
import NSQueue

/// vp-node (port 3002): queue workers and the block producer. It depends on the queue store,
/// on ns-node (where it sends transactions and blocks) and on Redis when the queue lives there.
public enum ProducerNode {
    /// `queue` is the SQLite queue or the Redis one. With SQLite its gauges are read at each
    /// scrape; with Redis the workers' housekeeping refreshes them. `queueCheck` is
    /// ``QueueStoreCheck``. `nsAddress` is where the operator API looks up, by job id, the
    /// transaction of a job the queue has deleted (retention); without it such a job is a 404.
    public static func blueprint(queue: any JobQueue, queueCheck: DependencyCheck, metrics: NodeMetrics, queueMetrics: QueueMetrics,
                                 nsNode: DependencyCheck, nsAddress: PeerAddress? = nil, sandbox: SandboxReadiness, operatorTokens: TokenVerifier,
                                 logger: Logger) -> NodeBlueprint {
        if let sqlite = queue as? SQLiteJobQueue { readGaugesAtScrape(sqlite, into: queueMetrics, metrics: metrics) }
        let ledger = nsAddress.map { JobLedgerLookup(nsNode: $0, client: .node, timeout: ledgerLookupTimeout) }
        let operatorRoutes = OperatorRoutes(queue: queue, verifier: operatorTokens, ledger: ledger, logger: logger)
        let checks = [queueCheck, nsNode, sandbox.check()]
        return NodeBlueprint(checks: checks) { router in
            operatorRoutes.add(to: router)
        }
    }

    /// With SQLite the queue's gauges are read from the file before each scrape. A failed read
    /// leaves the last values and is counted and logged (``InternalErrors``); /health reports a
    /// store that fails.
    static func readGaugesAtScrape(_ sqlite: SQLiteJobQueue, into queueMetrics: QueueMetrics, metrics: NodeMetrics) {
        metrics.beforeScrape {
            do {
                queueMetrics.record(try sqlite.countsNow())
            } catch {
                metrics.internalErrors.record(.readCounts, reason: InternalErrors.reason(of: error))
            }
            do throws(JobQueueError) {
                queueMetrics.record(try sqlite.storeUsageNow())
            } catch {
                metrics.internalErrors.record(.readStoreUsage, reason: error.description)
            }
        }
    }

    /// How long the operator API waits for ns-node's answer about a job the queue has deleted, and
    /// a worker about a job whose attempt failed.
    static let ledgerLookupTimeout: Duration = .seconds(5)

    /// The queue workers: artifacts to transactions, sent to the ns-node at `nsNode`; `privacy`
    /// says what those transactions publish of the text and the submitter.
    public static func workers(queue: any JobQueue, nsNode: PeerAddress, token: Secret, count: Int, batch: Int, sanitizerMaxChars: Int,
                               privacy: LedgerPrivacy, sandbox: CodeSandbox?, metrics: NodeMetrics, queueMetrics: QueueMetrics?, logger: Logger) -> QueueWorkers {
        let cache = SanitiserCache(sanitiser: PromptSanitiser(maxCharacters: sanitizerMaxChars), metrics: metrics)
        return QueueWorkers(queue: queue, processor: ArtifactProcessor(sanitiser: cache, sandbox: sandbox, concurrentSnippets: count, privacy: privacy),
                     sender: TransactionSender(ledger: ledgerClient(nsNode, token)),
                     ledger: JobLedgerLookup(nsNode: nsNode, client: .nodeFailingFast, timeout: ledgerLookupTimeout),
                     count: count, batch: batch,
                     gauges: queue is SQLiteJobQueue ? nil : queueMetrics, metrics: metrics, logger: logger)
    }

    /// The block producer, posting to the ns-node at `nsNode` with the internal token.
    public static func blockProducer(nsNode: PeerAddress, token: Secret, key: LedgerKey, settings: LedgerSettings, metrics: NodeMetrics,
                                     logger: Logger) -> BlockProducer {
        BlockProducer(ledger: ledgerClient(nsNode, token), key: key,
                      settings: .init(interval: settings.blockInterval, maxTxs: settings.blockMaxTxs), metrics: metrics, logger: logger)
    }

    private static func ledgerClient(_ nsNode: PeerAddress, _ token: Secret) -> LedgerCalls {
        LedgerCalls(address: nsNode, token: token, timeout: .seconds(60), client: .nodeFailingFast)
    }
}
