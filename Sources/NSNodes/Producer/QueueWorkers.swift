import Foundation
import Logging
import NSCore
import NSQueue
import ServiceLifecycle

/// vp-node's `JOB_QUEUE_WORKERS` workers. Each leases a job, renews the lease while working,
/// turns the artifact into its transaction, sends it to ns-node and completes the job with the
/// transaction hash. ns-node down or overloaded: the attempt fails and the queue retries it with
/// backoff; a refused (invalid) transaction or an unusable job: permanent failure, straight to
/// the dead-letter queue with the reason. A housekeeping loop returns expired leases and
/// timed-out attempts to the queue.
///
/// On shutdown the workers stop leasing and finish the job in hand; what is still running when
/// the shutdown timeout ends is cancelled, and its lease expires and is recovered later.
public struct QueueWorkers: Service {
    let queue: any JobQueue
    let processor: ArtifactProcessor
    let sender: TransactionSender
    let count: Int
    let lease: Duration
    /// Queue gauges to refresh from housekeeping, for backends whose counts cannot be read
    /// synchronously at scrape time (Redis).
    let gauges: QueueMetrics?
    let logger: Logger
    let name: String

    init(queue: any JobQueue, processor: ArtifactProcessor, sender: TransactionSender, count: Int, lease: Duration = .seconds(30),
         gauges: QueueMetrics? = nil, logger: Logger) {
        self.queue = queue
        self.gauges = gauges
        self.processor = processor
        self.sender = sender
        self.count = count
        self.lease = lease
        self.logger = logger
        self.name = "vp-\(ProcessInfo.processInfo.processIdentifier)"
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for index in 0..<count {
                group.addTask { await work(worker: "\(name)-\(index)") }
            }
            group.addTask { await housekeeping() }
        }
    }

    private func work(worker: String) async {
        var idle: Duration = .milliseconds(50)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let job: Job?
            do {
                job = try await queue.lease(worker: worker, for: lease)
            } catch {
                logger.warning("leasing failed", metadata: ["worker": .string(worker), "reason": .string("\(error)")])
                job = nil
                idle = .seconds(1)
            }
            guard let job else {
                let pause = idle
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
                idle = min(idle * 2, .seconds(1))
                continue
            }
            idle = .milliseconds(50)
            await process(job, worker: worker)
        }
    }

    private func process(_ job: Job, worker: String) async {
        let heartbeat = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: lease / 3)
                guard try await queue.heartbeat(id: job.id, worker: worker, for: lease) else { return }
            }
        }
        defer { heartbeat.cancel() }
        do {
            let (tx, report) = try await processor.transaction(for: job)
            if report.changed {
                logger.info("artifact sanitised", metadata: ["jobId": .string(job.id), "controlCharacters": .stringConvertible(report.controlCharactersRemoved),
                                                            "delimiters": .stringConvertible(report.delimiters.values.reduce(0, +)),
                                                            "rolePrefixes": .stringConvertible(report.rolePrefixes), "truncated": .stringConvertible(report.truncated)])
            }
            switch await sender.send(tx) {
            case .accepted:
                try await queue.complete(id: job.id, worker: worker, result: ArtifactJob.Outcome(txHash: tx.hash.hex).encoded())
            case .refused(let reason):
                try await fail(job, worker: worker, reason: reason, permanent: true)
            case .unavailable(let reason):
                try await fail(job, worker: worker, reason: reason, permanent: false)
            }
        } catch let error as ArtifactProcessor.Permanent {
            try? await fail(job, worker: worker, reason: error.description, permanent: true)
        } catch let error as ArtifactProcessor.Retryable {
            try? await fail(job, worker: worker, reason: error.description, permanent: false)
        } catch {
            // The queue itself failed (lease lost, store down): the lease expires and the job is recovered.
            logger.warning("job could not be finished", metadata: ["jobId": .string(job.id), "reason": .string("\(error)")])
        }
    }

    private func fail(_ job: Job, worker: String, reason: String, permanent: Bool) async throws {
        let state = try await queue.fail(id: job.id, worker: worker, message: reason, permanent: permanent)
        logger.log(level: state == .deadLetter ? .error : .warning, "job attempt failed",
                   metadata: ["jobId": .string(job.id), "state": .string(state.rawValue), "reason": .string(reason)])
    }

    private func housekeeping() async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            if let recovered = try? await queue.recoverExpired(), recovered > 0 {
                logger.warning("expired leases recovered", metadata: ["count": .stringConvertible(recovered)])
            }
            if let gauges, let counts = try? await queue.counts() { gauges.record(counts) }
        }
    }
}
