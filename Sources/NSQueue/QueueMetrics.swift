import CoreMetrics
import Synchronization

/// The queue's metrics, recorded through swift-metrics into whichever factory the node passes
/// (each node has its own Prometheus registry). Names are the queue issue's; only counters end
/// in `_total`.
public struct QueueMetrics: Sendable {
    let factory: any MetricsFactory
    private let perJob: PerJobSeries

    public init(factory: any MetricsFactory) {
        self.factory = factory
        self.perJob = PerJobSeries(factory: factory)
        // Made now so the series is on /metrics (at 0) before the first deletion: a dashboard
        // rate over a series that does not exist yet shows "no data", not zero.
        _ = Counter(label: "ns_jobs_retention_deleted_total", dimensions: [], factory: factory)
    }

    func enqueued(_ job: NewJob) {
        perJob.enqueued(type: job.type, priority: job.priority).increment()
    }

    func completed(type: String, durationMs: Int64) {
        let (counter, timer) = perJob.completed(type: type)
        counter.increment()
        timer.recordMilliseconds(durationMs)
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

    /// Completed and cancelled records deleted by retention (`JOB_RETENTION_MS`).
    func retentionDeleted(_ count: Int) {
        guard count > 0 else { return }
        Counter(label: "ns_jobs_retention_deleted_total", dimensions: [], factory: factory).increment(by: count)
    }

    /// Sets the store-size gauges: `ns_queue_store_bytes` and, when the store has a limit,
    /// `ns_queue_store_limit_bytes` (0 when it has none), which `nsctl health` compares.
    public func record(_ usage: QueueStoreUsage) {
        Gauge(label: "ns_queue_store_bytes", dimensions: [], factory: factory).record(usage.usedBytes)
        Gauge(label: "ns_queue_store_limit_bytes", dimensions: [], factory: factory).record(usage.limitBytes ?? 0)
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

/// The series recorded once per job, made once per job type: creating a swift-metrics handle
/// looks the series up in the registry under its lock, which cost about 1% of the gateway's CPU
/// when done for every enqueue. Job types are few and fixed by the code, so this stays small.
final class PerJobSeries: Sendable {
    private struct Enqueued: Hashable {
        let type: String
        let priority: JobPriority
    }

    private struct Handles {
        var enqueued: [Enqueued: Counter] = [:]
        var completed: [String: (Counter, Timer)] = [:]
    }

    private let factory: any MetricsFactory
    private let handles = Mutex(Handles())

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func enqueued(type: String, priority: JobPriority) -> Counter {
        let key = Enqueued(type: type, priority: priority)
        return handles.withLock { handles in
            if let counter = handles.enqueued[key] { return counter }
            let counter = Counter(label: "ns_jobs_enqueued_total", dimensions: [("type", type), ("priority", priority.rawValue)], factory: factory)
            handles.enqueued[key] = counter
            return counter
        }
    }

    func completed(type: String) -> (Counter, Timer) {
        handles.withLock { handles in
            if let series = handles.completed[type] { return series }
            let series = (Counter(label: "ns_jobs_completed_total", dimensions: [("type", type)], factory: factory),
                          Timer(label: "ns_job_duration_seconds", dimensions: [("type", type)], factory: factory))
            handles.completed[type] = series
            return series
        }
    }
}
