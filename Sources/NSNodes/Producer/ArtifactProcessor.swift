import NSCore
import NSQueue

/// Turns an artifact job into its ledger transaction: SHA-256 and size of the original bytes,
/// the sanitised preview (or its SHA-256), the submitter (or its keyed hash), metadata, job id
/// and submission time, and for code artifacts the code sandbox's outcome. ``LedgerPrivacy``
/// chooses between text and hash.
struct ArtifactProcessor: Sendable {
    let sanitiser: SanitiserCache
    let sandbox: CodeSandbox?
    /// Sandbox outcomes by job id, so a retried job (ns-node was down) sends the same
    /// transaction, with the same hash, instead of running the snippet again.
    let outcomes = SandboxOutcomeCache(capacity: 4_096)
    /// How many snippets may run at once, whatever the number of jobs in hand.
    let sandboxSlots: ConcurrencyLimit
    /// What the transaction publishes of the text and the submitter.
    let privacy: LedgerPrivacy

    init(sanitiser: SanitiserCache, sandbox: CodeSandbox?, concurrentSnippets: Int, privacy: LedgerPrivacy) {
        self.sanitiser = sanitiser
        self.sandbox = sandbox
        self.sandboxSlots = ConcurrencyLimit(concurrentSnippets)
        self.privacy = privacy
    }

    /// A job that can never succeed, whatever is retried: straight to the dead-letter queue.
    struct Permanent: Error, CustomStringConvertible {
        let description: String
    }

    /// A fault of this vp-node, not of the job (the sandbox could not start): retry later.
    struct Retryable: Error, CustomStringConvertible {
        let description: String
    }

    /// The job's transaction, what sanitising changed, whether the code sandbox ran for it, and
    /// its owner's JWT `sub` (the transaction may record only its keyed hash).
    func transaction(for job: Job) async throws -> (tx: LedgerTransaction, report: PromptSanitiser.Report, ranCode: Bool, owner: String) {
        guard job.type == ArtifactJob.type else { throw Permanent(description: "no handler for job type \(job.type)") }
        guard let artifact = ArtifactJob(payload: job.payload) else { throw Permanent(description: "the payload is not an artifact job") }
        let bytes = Array(artifact.content.utf8)
        let digest = MerkleHash.sha256(bytes)
        let (preview, report) = sanitiser.sanitise(artifact.content, digest: digest)
        let outcome = try await sandboxOutcome(for: artifact, job: job)
        let shown = privacy.previewFields(preview)
        do {
            let tx = try LedgerTransaction.make(
                artifactSHA256: digest.hex, artifactSize: Int64(bytes.count), submitter: privacy.recordedSubmitter(artifact.submitter),
                jobID: job.id, metadata: artifact.metadata, preview: shown.preview, previewSHA256: shown.previewSHA256,
                sandbox: outcome?.json, timeMs: artifact.submittedAt)
            return (tx, report, outcome != nil, artifact.submitter)
        } catch {
            throw Permanent(description: "the artifact makes an invalid transaction: \(error)")
        }
    }

    /// Runs the snippet once a sandbox slot is free, waiting no longer than the job's timeout
    /// allows (with the snippet's own limit and a second to spare): a job that would time out in
    /// the line fails now, as a retryable attempt with the reason, instead of being recovered later.
    private func sandboxOutcome(for artifact: ArtifactJob, job: Job) async throws -> SandboxOutcome? {
        guard let sandbox, let runtime = sandbox.runtime(for: artifact.metadata) else { return nil }
        if let known = await outcomes.outcome(for: job.id) { return known }
        // A lease sets updatedAt to the lease time, read from the queue's clock.
        let remainingMs = job.updatedAt + job.timeoutMs - SystemJobClock().nowMs()
        let wait = max(.zero, .milliseconds(remainingMs) - sandbox.timeout - .seconds(1))
        do {
            let outcome = try await sandboxSlots.run(waitingAtMost: wait) { try await sandbox.run(artifact.content, runtime: runtime) }
            await outcomes.remember(outcome, for: job.id)
            return outcome
        } catch let refusal as CodeSandbox.Refusal {
            throw Permanent(description: refusal.description)
        } catch let failure as SandboxLaunchFailure {
            throw Retryable(description: failure.description)
        } catch is ConcurrencyLimit.Busy {
            throw Retryable(description: "the code sandbox stayed busy: no slot came free within the job's timeout")
        } catch {
            throw Retryable(description: "the code sandbox could not start: \(error)")
        }
    }
}
