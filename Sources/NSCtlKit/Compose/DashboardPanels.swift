/// The panels of the NeuroSwarm Grafana dashboard: the seeds' list (request latency p50/p95/p99,
/// job queue depth and rate, sanitiser cache hit rate, block production, error rates by service,
/// memory and CPU per service), as PromQL over the metrics the nodes export.
///
/// Every metric named here must appear on a live node's `/metrics`; the end-to-end test
/// `ComposeRenderTests` scrapes real nodes and fails on a name they do not export. Legends use
/// the `service` label that `prometheus.yml` puts on each target.
enum DashboardPanels {
    /// A section of the dashboard: a row header and its panels, laid out two to a line.
    struct Section: Sendable {
        let title: String
        let panels: [Panel]
    }

    /// One time-series panel.
    struct Panel: Sendable {
        let title: String
        let description: String
        /// A Grafana unit id: `s`, `percentunit`, `bytes`, `short`, `ops`.
        let unit: String
        let queries: [Query]
    }

    /// A PromQL expression and its legend.
    struct Query: Sendable {
        let expr: String
        let legend: String
    }

    /// Grafana's rate window: at least four scrape intervals whatever the zoom.
    private static let window = "[$__rate_interval]"
    /// Scrapes and probes are not traffic; leaving them out keeps latency and error panels honest.
    private static let traffic = #"route!~"/metrics|/health""#

    private static func quantile(_ q: String, _ histogram: String, by: String = "le", matching selector: String = "") -> String {
        "histogram_quantile(\(q), sum by (\(by)) (rate(\(histogram)_bucket\(selector.isEmpty ? "" : "{\(selector)}")\(window))))"
    }

    static let sections: [Section] = [
        Section(title: "Requests", panels: [
            Panel(title: "Request latency (p50 / p95 / p99)",
                  description: "Time to the response head over every node's requests (ns_http_request_duration_seconds), without /metrics and /health.",
                  unit: "s", queries: ["0.50", "0.95", "0.99"].map { q in
                      Query(expr: quantile(q, "ns_http_request_duration_seconds", matching: traffic), legend: "p" + String(q.dropFirst(2)))
                  }),
            Panel(title: "Request latency p95 by service",
                  description: "95th percentile per node, to tell which one is slow.",
                  unit: "s", queries: [
                      Query(expr: quantile("0.95", "ns_http_request_duration_seconds", by: "le, service", matching: traffic), legend: "{{service}}"),
                  ]),
            Panel(title: "Error rate by service",
                  description: "Share of requests answered 5xx (server faults) and 4xx (refused: auth, rate limit, validation), per node, without /metrics and /health.",
                  unit: "percentunit", queries: ["5", "4"].map { digit in
                      Query(expr: "sum by (service) (rate(ns_http_requests_total{status=~\"\(digit)..\", \(traffic)}\(window))) / sum by (service) (rate(ns_http_requests_total{\(traffic)}\(window)))",
                            legend: "{{service}} \(digit)xx")
                  }),
            Panel(title: "Requests per second by service",
                  description: "Answered requests per node (ns_http_requests_total), without /metrics and /health.",
                  unit: "reqps", queries: [
                      Query(expr: "sum by (service) (rate(ns_http_requests_total{\(traffic)}\(window)))", legend: "{{service}}"),
                  ]),
        ]),
        Section(title: "Job queue", panels: [
            Panel(title: "Queue depth by state",
                  description: "Jobs waiting, running, waiting to retry and dead-lettered (ns_queue_jobs, vp-node).",
                  unit: "short", queries: [
                      Query(expr: #"sum by (state) (ns_queue_jobs{state=~"queued|processing|retry|dead_letter"})"#, legend: "{{state}}"),
                  ]),
            Panel(title: "Job rate",
                  description: "Jobs enqueued and completed per second; a growing gap is a backlog.",
                  unit: "ops", queries: [
                      Query(expr: "sum(rate(ns_jobs_enqueued_total\(window)))", legend: "enqueued"),
                      Query(expr: "sum(rate(ns_jobs_completed_total\(window)))", legend: "completed"),
                      Query(expr: "sum(rate(ns_jobs_retention_deleted_total\(window)))", legend: "deleted by retention"),
                  ]),
            Panel(title: "Queue store size",
                  description: "Bytes the job queue's store holds (Redis used_memory, or queue.db and its WAL) against its limit (Redis maxmemory, or the disk). It should level off: finished jobs leave after JOB_RETENTION_MS. nsctl health warns at 90%.",
                  unit: "bytes", queries: [
                      Query(expr: "max(ns_queue_store_bytes)", legend: "used"),
                      Query(expr: "max(ns_queue_store_limit_bytes > 0)", legend: "limit"),
                  ]),
            Panel(title: "Job latency",
                  description: "Lease-to-completion time (ns_job_duration_seconds) and the age of the oldest job still queued.",
                  unit: "s", queries: [
                      Query(expr: quantile("0.50", "ns_job_duration_seconds"), legend: "p50 duration"),
                      Query(expr: quantile("0.95", "ns_job_duration_seconds"), legend: "p95 duration"),
                      Query(expr: "max(ns_queue_oldest_age_seconds)", legend: "oldest queued"),
                  ]),
            Panel(title: "Sanitiser cache hit rate",
                  description: "Share of artifacts whose sanitised preview came from vp-node's content-hash cache.",
                  unit: "percentunit", queries: [
                      Query(expr: "sum(rate(ns_sanitiser_cache_hits_total\(window))) / (sum(rate(ns_sanitiser_cache_hits_total\(window))) + sum(rate(ns_sanitiser_cache_misses_total\(window))))",
                            legend: "hit rate"),
                  ]),
        ]),
        Section(title: "Ledger", panels: [
            Panel(title: "Block production",
                  description: "Blocks per minute built and signed by vp-node, and appended by ns-node after validation.",
                  unit: "short", queries: [
                      Query(expr: "sum(rate(ns_blocks_produced_total\(window))) * 60", legend: "produced / min"),
                      Query(expr: "sum(rate(ns_blocks_appended_total\(window))) * 60", legend: "appended / min"),
                  ]),
            Panel(title: "Transactions committed per second",
                  description: "Transactions entering blocks (ns_ledger_txs_committed_total, ns-node).",
                  unit: "ops", queries: [
                      Query(expr: "sum(rate(ns_ledger_txs_committed_total\(window)))", legend: "committed"),
                  ]),
            Panel(title: "Ledger height and mempool",
                  description: "Tip height, and transactions accepted but not yet in a block.",
                  unit: "short", queries: [
                      Query(expr: "max(ns_ledger_height)", legend: "height"),
                      Query(expr: "max(ns_mempool_transactions)", legend: "mempool"),
                  ]),
        ]),
        Section(title: "Resources", panels: [
            Panel(title: "Memory per service",
                  description: "Resident memory of each process (process_resident_memory_bytes); compare with the compose memory limits.",
                  unit: "bytes", queries: [
                      Query(expr: "sum by (service) (process_resident_memory_bytes)", legend: "{{service}}"),
                  ]),
            Panel(title: "CPU per service",
                  description: "CPU time per second of each process (1.0 = one core); compare with the compose cpus limits.",
                  unit: "percentunit", queries: [
                      Query(expr: "sum by (service) (rate(process_cpu_seconds_total\(window)))", legend: "{{service}}"),
                  ]),
        ]),
    ]
}
