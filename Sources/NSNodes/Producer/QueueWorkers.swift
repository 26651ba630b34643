import Foundation
import Logging
import NSCore
import NSQueue
import ServiceLifecycle

/// vp-node's `JOB_QUEUE_WORKERS` workers. Each leases up to `JOB_LEASE_BATCH` jobs in one call
/// (growing to it under load),
/// renews their leases while working, turns each artifact into its transaction, sends the
/// transactions to ns-node (the sender gathers them into `POST /tx` batches) and completes the
/// accepted jobs in one call with the transaction hashes ns-node answers. A job ns-node already
/// holds a transaction for (worked again after a restore or a lost lease) completes with that
/// transaction, not the one just built, so its artifact is anchored once (``TransactionSender``).
/// ns-node down or overloaded: the attempt fails and the queue retries it with backoff; a refused
/// (invalid) transaction or an unusable job: permanent failure, straight to the dead-letter queue
/// with the reason. Before a failure is recorded, the job id is looked up in the ledger: a job
/// whose transaction is already there (its re-run failed where the first attempt succeeded) is
/// completed with it, so the queue never retries or dead-letters a job the ledger records. A
/// housekeeping loop (``housekeepingLoop()``) returns expired leases and timed-out attempts to the queue and deletes
/// finished jobs whose retention has passed (``RetentionSweeper``).
///
/// Each leased job keeps its own lease, timeout and outcome: one job failing does not touch the
/// others in its batch. Code snippets still run at most `JOB_QUEUE_WORKERS` at a time.
///
/// On shutdown the workers stop leasing and finish the jobs in hand; what is still running when
/// the shutdown timeout ends is cancelled, and its lease expires and is recovered later.
public struct QueueWorkers: Service {
    let queue: any JobQueue
    let processor: ArtifactProcessor
    let sender: TransactionSender
    /// Where a failed attempt's job id is looked up before its failure is recorded; `nil`: never
    /// (the failure is recorded as it is).
    let ledger: JobLedgerLookup?
    let count: Int
    let batch: Int
    let lease: Duration
    /// Queue gauges to refresh from housekeeping, for backends whose counts cannot be read
    /// synchronously at scrape time (Redis).
    let gauges: QueueMetrics?
    let logger: Logger
    let name: String
    let retention: RetentionSweeper
    let internalErrors: InternalErrors

    /// What one attempt at a job came to.
    enum Outcome: Sendable {
        case completed(result: [UInt8])
        case failed(reason: String, permanent: Bool)
        /// The queue itself failed: the lease expires and the job is recovered.
        case abandoned
    }

    /// `metrics` counts the housekeeping calls that fail (``InternalErrors``); without it they are only logged.
    init(queue: any JobQueue, processor: ArtifactProcessor, sender: TransactionSender, ledger: JobLedgerLookup?, count: Int, batch: Int,
         lease: Duration = .seconds(30), gauges: QueueMetrics? = nil, metrics: NodeMetrics? = nil, logger: Logger) {
        self.queue = queue
        self.internalErrors = InternalErrors(metrics: metrics, logger: logger)
        self.gauges = gauges
        self.processor = processor
        self.sender = sender
        self.ledger = ledger
        self.count = count
        self.batch = batch
        self.lease = lease
        self.logger = logger
        self.name = "vp-\(ProcessInfo.processInfo.processIdentifier)"
        self.retention = RetentionSweeper(internalErrors: internalErrors)
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for index in 0..<count {
                group.addTask { await work(worker: "\(name)-\(index)") }
            }
            group.addTask { await housekeepingLoop() }
        }
    }

    /// A worker starts leasing one job at a time and doubles its lease size, up to `batch`, while
    /// leases come back full and run no code: a light load spreads over every worker and every
    /// vp-node, a heavy one is leased in batches. A batch that ran code drops it back to one, since
    /// snippets wait for a sandbox slot and a batch of them would sit in line.
    private func work(worker: String) async {
        var idle: Duration = .milliseconds(50)
        var limit = 1
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var jobs: [Job] = []
            do {
                jobs = try await queue.lease(worker: worker, for: lease, limit: limit)
            } catch {
                logger.warning("leasing failed", metadata: ["worker": .string(worker), "reason": .string("\(error)")])
                idle = .seconds(1)
            }
            guard !jobs.isEmpty else {
                let pause = idle
                // Throws only when shutdown cuts the pause short; the loop's condition then ends it.
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
                idle = min(idle * 2, .seconds(1))
                continue
            }
            idle = .milliseconds(50)
            let ranCode = await process(jobs, worker: worker)
            limit = ranCode ? 1 : jobs.count == limit ? min(batch, limit * 2) : limit
        }
    }

    /// Works on a leased batch: every job at once. Accepted jobs are completed together, in one
    /// call when the batch finishes quickly; while slower jobs (code) are still running, whatever
    /// is ready is completed every `completionLinger`, so finished jobs do not wait for them.
    /// Returns whether any job ran code in the sandbox.
    private func process(_ jobs: [Job], worker: String) async -> Bool {
        let heartbeat = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: lease / 3)
                var held = false
                // A failed renewal (the store hiccuped) counts as held: the next round tries again.
                for job in jobs where (try? await queue.heartbeat(id: job.id, worker: worker, for: lease)) ?? true { held = true }
                guard held else { return }
            }
        }
        defer { heartbeat.cancel() }
        var ready: [JobCompletion] = []
        var ranCode = false
        var lastFlush = ContinuousClock.now
        await withTaskGroup(of: (Job, Outcome, Bool).self) { group in
            for job in jobs { group.addTask { await settled(attempt(job)) } }
            for await (job, outcome, code) in group {
                ranCode = ranCode || code
                switch outcome {
                case .completed(let result): ready.append(JobCompletion(id: job.id, worker: worker, result: result))
                case .failed(let reason, let permanent): await fail(job, worker: worker, reason: reason, permanent: permanent)
                case .abandoned: break
                }
                if !ready.isEmpty, ContinuousClock.now - lastFlush >= Self.completionLinger {
                    await complete(ready)
                    ready.removeAll()
                    lastFlush = .now
                }
            }
        }
        await complete(ready)
        return ranCode
    }

    static let completionLinger: Duration = .milliseconds(200)

    private func complete(_ completions: [JobCompletion]) async {
        guard !completions.isEmpty else { return }
        do {
            for id in try await queue.complete(completions) {
                logger.warning("job could not be completed: its lease was lost", metadata: ["jobId": .string(id)])
            }
        } catch {
            logger.warning("jobs could not be completed", metadata: ["count": .stringConvertible(completions.count), "reason": .string("\(error)")])
        }
    }

    /// One job's attempt, and whether it ran code.
    private func attempt(_ job: Job) async -> (Job, Outcome, Bool) {
        do {
            let (tx, report, ranCode, owner) = try await processor.transaction(for: job)
            if report.changed {
                logger.info("artifact sanitised", metadata: ["jobId": .string(job.id), "controlCharacters": .stringConvertible(report.controlCharactersRemoved),
                                                            "delimiters": .stringConvertible(report.delimiters.values.reduce(0, +)),
                                                            "rolePrefixes": .stringConvertible(report.rolePrefixes), "truncated": .stringConvertible(report.truncated)])
            }
            let outcome: Outcome
            switch await sender.send(tx) {
            case .accepted(let txHash, let duplicateJob):
                if duplicateJob {
                    logger.info("job already recorded in the ledger: completing it with the transaction held there",
                                metadata: ["jobId": .string(job.id), "txHash": .string(txHash), "droppedTxHash": .string(tx.hash.hex)])
                }
                // The owner too: the queue drops a completed job's payload, and status still checks the owner
                // (by the JWT sub, as the payload held it: the transaction may record only its keyed hash).
                outcome = .completed(result: ArtifactJob.Outcome(txHash: txHash, submitter: owner).encoded())
            case .refused(let reason): outcome = .failed(reason: reason, permanent: true)
            case .unavailable(let reason): outcome = .failed(reason: reason, permanent: false)
            }
            return (job, outcome, ranCode)
        } catch let error as ArtifactProcessor.Permanent {
            return (job, .failed(reason: error.description, permanent: true), false)
        } catch let error as ArtifactProcessor.Retryable {
            return (job, .failed(reason: error.description, permanent: false), true)
        } catch {
            logger.warning("job could not be finished", metadata: ["jobId": .string(job.id), "reason": .string("\(error)")])
            return (job, .abandoned, false)
        }
    }

    /// A failed attempt of a job the ledger already records (its transaction was taken on an
    /// earlier attempt: the queue was restored from a backup taken before it completed, or its
    /// lease was lost afterwards) becomes that job's completion with the transaction held, so the
    /// queue's state agrees with the ledger. Asked only on failure, which is rare. When ns-node
    /// cannot answer, the failure stands and is recorded as before.
    private func settled(_ attempt: (Job, Outcome, Bool)) async -> (Job, Outcome, Bool) {
        let (job, outcome, ranCode) = attempt
        guard case .failed(let reason, _) = outcome, let ledger else { return attempt }
        let record: JobLedgerLookup.Record?
        do {
            record = try await ledger.record(jobID: job.id, requestID: RequestID.generate())
        } catch {
            logger.debug("the ledger could not be asked about a failed job; its failure is recorded",
                         metadata: ["jobId": .string(job.id), "reason": .string("\(error)")])
            return attempt
        }
        guard let record else { return attempt }
        logger.info("job already recorded in the ledger: completing it with the transaction held there instead of recording its failed attempt",
                    metadata: ["jobId": .string(job.id), "txHash": .string(record.txHash), "failure": .string(reason)])
        return (job, .completed(result: ArtifactJob.Outcome(txHash: record.txHash, submitter: record.submitter).encoded()), ranCode)
    }

    private func fail(_ job: Job, worker: String, reason: String, permanent: Bool) async {
        let state: JobState
        do {
            state = try await queue.fail(id: job.id, worker: worker, message: reason, permanent: permanent)
        } catch {
            // The lease expires and the job is recovered as a failed attempt.
            logger.warning("job failure could not be recorded", metadata: ["jobId": .string(job.id), "reason": .string("\(error)")])
            return
        }
        logger.log(level: state == .deadLetter ? .error : .warning, "job attempt failed",
                   metadata: ["jobId": .string(job.id), "state": .string(state.rawValue), "reason": .string(reason)])
    }
}
