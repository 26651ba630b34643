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
        "ns_jobs_enqueued_total": "Jobs enqueued, by type and priority (repeats under a unique key not counted).",
        "ns_jobs_completed_total": "Jobs completed, by type.",
        "ns_jobs_failed_total": "Failed job attempts reported by workers, by type.",
        "ns_jobs_dead_lettered_total": "Jobs moved to the dead-letter queue, by type.",
        "ns_jobs_recovered_total": "Expired leases and timed-out attempts returned to the queue.",
        "ns_jobs_dead_letter_evicted_total": "Dead letters deleted because the dead-letter queue exceeded its configured size.",
        "ns_queue_jobs": "Jobs in the queue by state and priority.",
        "ns_sanitiser_cache_hits_total": "Artifacts whose sanitised preview came from the cache (same content seen before).",
        "ns_sanitiser_cache_misses_total": "Artifacts sanitised afresh.",
        "ns_blocks_produced_total": "Blocks this vp-node built, signed and had appended.",
        "ns_block_races_lost_total": "Blocks refused with 409 because another producer appended that height first.",
        "ns_block_txs": "Transactions per produced block.",
        "ns_block_build_seconds": "Time to build and sign a block once the tip and mempool are read.",
        "ns_block_submit_seconds": "Time ns-node took to validate and append a produced block.",
        "ns_queue_oldest_age_seconds": "Age of the oldest queued job.",
        "ns_jobs_retention_deleted_total": "Completed and cancelled jobs deleted from the queue once JOB_RETENTION_MS had passed.",
        "ns_queue_store_bytes": "Bytes the job queue's store holds: Redis used_memory, or queue.db and its WAL.",
        "ns_queue_store_limit_bytes": "What the queue's store can hold: Redis maxmemory (0: none), or its bytes plus the free disk.",
        "ns_job_duration_seconds": "Time from lease to completion, by job type.",
        "ns_audit_head_sequence": "Sequence number of the newest entry in admin-node's audit trail (0 when empty).",
        "ns_audit_anchored_sequence": "Sequence number of the newest audit entry admin-node knows to be anchored in the ledger (0 before the first).",
        "ns_internal_errors_total": "Failures no caller is told of, by node and operation: queue_recover_expired, queue_retention, queue_counts, queue_store_usage (vp-node's housekeeping, retried every second; with SQLite the counts and usage are read at each scrape), wal_checkpoint (a background WAL checkpoint pass), ledger_log_size (ns-node's startup read of its log size), request (an unexpected error answered with 500). Each is logged with its reason; repeating ones once a minute.",
        "ns_witness_cosignatures_total": "Checkpoints the witness cosigned (its state recorded first).",
        "ns_witness_refusals_total": "add-checkpoint requests the witness refused, by reason: malformed (400), unknown_log (404), bad_signature (403), conflict (409: a stale old size, or a second root for the recorded size), inconsistent (422: the consistency proof fails), storage (503).",
        "ns_witness_requests_total": "add-checkpoint requests ns-node sent to its witnesses (WITNESSES), by witness and outcome: cosigned, conflict (409: sent again once from the witness's size), inconsistent (422: the witness holds a tree this log does not extend, a fork alarm), refused (any other refusal), unreachable (no answer in 5 seconds), bad_cosignature (200 without a line that verifies with the configured vkey).",
        "ns_witness_cosigned_size": "Tree size of the newest checkpoint each witness (WITNESSES) cosigned since ns-node started.",
        "ns_audit_anchor_failures_total": "Rounds in which admin-node could not anchor its audit head, by reason: unreachable (ns-node did not answer), refused (ns-node refused the transaction), conflict (the trail does not hold the head the ledger anchored: entries were cut or rewritten), storage (admin.db could not be read).",
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
