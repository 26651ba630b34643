import CoreMetrics

/// The queue's metrics, recorded through swift-metrics into whichever factory the node passes
/// (each node has its own Prometheus registry). Names are the queue issue's; only counters end
/// in `_total`.
public struct QueueMetrics: Sendable {
    let factory: any MetricsFactory

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func enqueued(_ job: NewJob) {
        Counter(label: "ns_jobs_enqueued_total", dimensions: [("type", job.type), ("priority", job.priority.rawValue)], factory: factory).increment()
    }

    func completed(type: String, durationMs: Int64) {
        Counter(label: "ns_jobs_completed_total", dimensions: [("type", type)], factory: factory).increment()
        Timer(label: "ns_job_duration_seconds", dimensions: [("type", type)], factory: factory).recordMilliseconds(durationMs)
    }

    func failed(type: String, state: JobState) {
        Counter(label: "ns_jobs_failed_total", dimensions: [("type", type)], factory: factory).increment()
        if state == .deadLetter {
            Counter(label: "ns_jobs_dead_lettered_total", dimensions: [("type", type)], factory: factory).increment()
        }
    }

    func evicted(_ count: Int) {
        Counter(label: "ns_jobs_dead_letter_evicted_total", dimensions: [], factory: factory).increment(by: count)
    }

    func recovered(_ count: Int) {
        Counter(label: "ns_jobs_recovered_total", dimensions: [], factory: factory).increment(by: count)
    }

    /// Sets the state gauges from a fresh count (called before each scrape).
    public func record(_ counts: QueueCounts) {
        for state in JobState.allCases {
            for priority in JobPriority.allCases {
                Gauge(label: "ns_queue_jobs", dimensions: [("state", state.rawValue), ("priority", priority.rawValue)], factory: factory)
                    .record(counts.byState[state]?[priority] ?? 0)
            }
        }
        Gauge(label: "ns_queue_oldest_age_seconds", dimensions: [], factory: factory).record(Double(counts.oldestQueuedAgeMs ?? 0) / 1000)
    }
}
