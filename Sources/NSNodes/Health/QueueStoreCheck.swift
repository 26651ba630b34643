import NSQueue

/// The `queue` entry of the gateway's and vp-node's `/health`: whether the job queue's store
/// takes writes (``JobQueue/checkStore()``), not merely whether it answers.
///
/// A store that answers `PING` but refuses every write (Redis over `maxmemory` with
/// `noeviction`, a demoted master, a failed snapshot; SQLite on a full disk) fails every
/// submission with 503 while a read-only probe says all is well; this check fails with the
/// store's own reason instead. Each probe also refreshes the store-size gauges, when given.
public enum QueueStoreCheck {
    /// `backend` (`sqlite` or `redis`) is shown as the check's detail.
    public static func make(queue: any JobQueue, backend: String, gauges: QueueMetrics? = nil) -> DependencyCheck {
        DependencyCheck(name: "queue", detail: backend) { _ in
            do throws(JobQueueError) {
                let usage = try await queue.checkStore()
                gauges?.record(usage)
            } catch {
                switch error {
                case .unavailable(let reason): throw DependencyFailure(reason)
                default: throw DependencyFailure(error.description)
                }
            }
        }
    }
}
