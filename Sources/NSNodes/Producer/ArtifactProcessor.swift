import Crypto
import NSCore
import NSQueue

/// Turns an artifact job into its ledger transaction: SHA-256 and size of the original bytes,
/// the sanitised preview, the submitter, metadata, job id and submission time.
struct ArtifactProcessor: Sendable {
    let sanitiser: SanitiserCache

    /// A job that can never succeed, whatever is retried: straight to the dead-letter queue.
    struct Permanent: Error, CustomStringConvertible {
        let description: String
    }

    func transaction(for job: Job) throws -> (tx: LedgerTransaction, report: PromptSanitiser.Report) {
        guard job.type == ArtifactJob.type else { throw Permanent(description: "no handler for job type \(job.type)") }
        guard let artifact = ArtifactJob(payload: job.payload) else { throw Permanent(description: "the payload is not an artifact job") }
        let bytes = Array(artifact.content.utf8)
        let digest = MerkleHash.sha256(bytes)
        let (preview, report) = sanitiser.sanitise(artifact.content, digest: digest)
        do {
            let tx = try LedgerTransaction.make(
                artifactSHA256: digest.hex, artifactSize: Int64(bytes.count), submitter: artifact.submitter,
                jobID: job.id, metadata: artifact.metadata,
                // A text that was only control characters leaves nothing to show: anchor the hash of the empty preview.
                preview: preview.isEmpty ? nil : preview, previewSHA256: preview.isEmpty ? Hex.encode(SHA256.hash(data: [UInt8]())) : nil,
                timeMs: artifact.submittedAt)
            return (tx, report)
        } catch {
            throw Permanent(description: "the artifact makes an invalid transaction: \(error)")
        }
    }
}
