import CoreMetrics
import NSCore

/// ns-node's ledger metrics, recorded through swift-metrics into the node's registry.
struct LedgerMetrics: Sendable {
    let height: Gauge
    let logSize: Gauge
    let mempool: Gauge
    let blocksAppended: Counter
    let txsCommitted: Counter
    let txsSubmitted: Counter
    let factory: NodeMetricsFactory

    init(factory: NodeMetricsFactory) {
        self.factory = factory
        height = Gauge(label: "ns_ledger_height", dimensions: [], factory: factory)
        logSize = Gauge(label: "ns_ledger_log_size", dimensions: [], factory: factory)
        mempool = Gauge(label: "ns_mempool_transactions", dimensions: [], factory: factory)
        blocksAppended = Counter(label: "ns_blocks_appended_total", dimensions: [], factory: factory)
        txsCommitted = Counter(label: "ns_ledger_txs_committed_total", dimensions: [], factory: factory)
        txsSubmitted = Counter(label: "ns_ledger_txs_submitted_total", dimensions: [], factory: factory)
    }

    func rejected(_ check: String) {
        Counter(label: "ns_block_rejections_total", dimensions: [("check", check)], factory: factory).increment()
    }

    /// After an append: the new tip and the mempool size it left.
    func update(tip: BlockHeader, pending: Int) {
        height.record(Int64(tip.height))
        logSize.record(Int64(tip.logSize))
        update(pending: pending)
    }

    /// After a submit: the mempool size it left (the tip is the appends' to report).
    func update(pending: Int) {
        mempool.record(pending)
    }
}
