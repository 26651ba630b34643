import Prometheus

/// The help text of every metric NeuroSwarm exports.
///
/// swift-metrics has no place for help text, but Prometheus tooling (`promtool check metrics`)
/// requires it, so ``NodeMetricsFactory`` looks each name up here. A name missing from the
/// catalogue still gets a generic help line, and a test fails on it.
public enum MetricCatalogue {
    public static let help: [String: String] = [
        "ns_http_requests_total": "HTTP requests answered, by node, route template, method and status.",
        "ns_http_request_duration_seconds": "Time from receiving a request to producing its response head.",
        "process_resident_memory_bytes": "Resident memory size in bytes.",
        "process_virtual_memory_bytes": "Virtual memory size in bytes.",
        "process_cpu_seconds_total": "Total user and system CPU time spent in seconds.",
        "process_open_fds": "Number of open file descriptors.",
        "process_max_fds": "Maximum number of open file descriptors.",
        "process_start_time_seconds": "Start time of the process since the Unix epoch in seconds.",
        "ns_build_info": "Always 1; labels carry the version and node of this build.",
        "ns_ledger_height": "Height of the ledger's tip block.",
        "ns_ledger_log_size": "Number of transactions in the global log tree.",
        "ns_mempool_transactions": "Transactions accepted and not yet committed.",
        "ns_blocks_appended_total": "Blocks validated and appended to the ledger.",
        "ns_block_rejections_total": "Blocks refused, by the validation check they failed.",
        "ns_ledger_txs_committed_total": "Transactions committed in blocks.",
        "ns_ledger_txs_submitted_total": "Transactions newly accepted into the mempool.",
    ]

    /// Text used when a name is missing from ``help``; tests look for it.
    public static let undocumented = "Undocumented NeuroSwarm metric."

    public static func helpText(for name: String) -> String {
        help[name] ?? undocumented
    }

    /// The swift-prometheus descriptor for `name`, carrying its help text.
    public static func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: helpText(for: name))
    }
}
