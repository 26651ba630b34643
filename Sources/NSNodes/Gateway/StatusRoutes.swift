import Hummingbird
import NSCore
import NSNodeClient
import NSQueue

/// `GET /api/status/{id}` and `GET /api/status/{id}/proof`: a job's progress and, once its
/// transaction is in a block, where it is in the ledger and the proof that it is there.
///
/// A user sees only jobs they submitted (403 otherwise); a token with `role: admin` sees all.
/// Ledger facts are read from ns-node; when it cannot answer, the job's own state is still
/// returned, with `ledger.status` = `unknown`.
///
/// Once retention has deleted a finished job's queue record, the ledger is its only record: the
/// job is looked up there by id (``JobLedgerLookup``) and answered as completed, owned by the
/// transaction's submitter (the caller's `sub`, or its keyed hash: ``LedgerPrivacy``). Then an
/// ns-node that cannot answer is a 503, since nothing can tell whether the job ever existed.
struct StatusRoutes {
    let queue: any JobQueue
    let nsNode: PeerAddress
    let client: NodeClient
    let timeout: Duration
    /// Matches a recorded submitter against the caller's `sub`.
    let owners: LedgerPrivacy

    private var ledger: JobLedgerLookup { JobLedgerLookup(nsNode: nsNode, client: client, timeout: timeout) }

    /// What the caller may see of a job: its queue record, or only its transaction in the ledger.
    private enum Visible {
        case queued(Job, outcome: ArtifactJob.Outcome?)
        case ledger(JobLedgerLookup.Record)
    }

    func add(to api: RouterGroup<NodeRequestContext>) {
        api.get("status/{id}") { _, context in try await status(context) }
        api.get("status/{id}/proof") { _, context in try await proof(context) }
    }

    func status(_ context: NodeRequestContext) async throws -> Response {
        let (visible, id) = try await visibleJob(context)
        let proofUrl = SubmitRoutes.statusPath(id) + "/proof"
        switch visible {
        case .queued(let job, let outcome):
            var fields = JobJSON.common(job)
            if let last = job.errors.last { fields["lastError"] = JobJSON.failure(last, withWorker: false) }
            if let outcome {
                fields["txHash"] = .string(outcome.txHash)
                fields["ledger"] = await ledgerStatus(outcome.txHash, proofUrl: proofUrl, context: context)
            }
            return JSONBody.response(.object(fields))
        case .ledger(let record):
            return JSONBody.response(["id": .string(id), "state": .string(JobState.completed.rawValue), "txHash": .string(record.txHash),
                                      "ledger": record.ledgerJSON(proofUrl: proofUrl)])
        }
    }

    /// The inclusion proof of the job's transaction against the current checkpoint, as ns-node gives it.
    func proof(_ context: NodeRequestContext) async throws -> Response {
        let txHash: String
        switch try await visibleJob(context).0 {
        case .queued(let job, let outcome):
            guard let outcome else { throw NodeError.notFound(detail: "the job has no ledger transaction yet (state \(job.state.rawValue))") }
            txHash = outcome.txHash
        case .ledger(let record):
            txHash = record.txHash
        }
        let reply: NodeReply
        do {
            reply = try await client.send(to: nsNode, node: "ns-node", path: "/v1/proof/inclusion?leaf=\(txHash)", timeout: timeout,
                                          requestID: context.requestID)
        } catch {
            throw NodeError.dependencyUnavailable(dependency: "ns-node", retryAfterSeconds: 5)
        }
        switch reply.status {
        case 200: return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
        case 404: throw NodeError.notFound(detail: "transaction \(txHash) is not in a block yet; retry after the next block")
        default: throw NodeError.dependencyUnavailable(dependency: "ns-node", retryAfterSeconds: 5)
        }
    }

    /// Job `id` if the caller may see it: from the queue, or from the ledger once the queue no
    /// longer holds it. 404 when neither does.
    private func visibleJob(_ context: NodeRequestContext) async throws -> (Visible, String) {
        let user = try SubmitRoutes.user(context)
        let id = try context.parameters.require("id")
        guard id.utf8.count <= 128 else { throw NodeError.notFound(detail: "no submission \(id)") }
        guard let job = try await queue.job(id: id) else {
            guard let record = try await ledger.record(jobID: id, requestID: context.requestID) else {
                throw NodeError.notFound(detail: "no submission \(id)")
            }
            try check(owner: record.submitter, of: id, for: user)
            return (.ledger(record), id)
        }
        guard job.type == ArtifactJob.type else { throw NodeError.notFound(detail: "no submission \(id)") }
        let outcome = job.state == .completed ? job.result.flatMap(ArtifactJob.Outcome.init(result:)) : nil
        if !user.isAdmin {
            // A completed job's payload is gone: its result names the owner, or (results written
            // before it did) the payload still does, or else the ledger's transaction.
            var owner = outcome?.submitter ?? ArtifactJob(payload: job.payload)?.submitter
            if owner == nil, job.state == .completed {
                owner = try await ledger.record(jobID: id, requestID: context.requestID)?.submitter
            }
            try check(owner: owner, of: id, for: user)
        }
        return (.queued(job, outcome: outcome), id)
    }

    private func check(owner: String?, of id: String, for user: AuthenticatedUser) throws(NodeError) {
        guard user.isAdmin || owner.map({ owners.recorded($0, names: user.subject) }) == true else {
            throw NodeError.forbidden(detail: "submission \(id) belongs to another user")
        }
    }

    private func ledgerStatus(_ txHash: String, proofUrl: String, context: NodeRequestContext) async -> JSONValue {
        let reply: NodeReply
        do {
            reply = try await client.send(to: nsNode, node: "ns-node", path: "/v1/tx/\(txHash)", timeout: timeout, requestID: context.requestID)
        } catch {
            return ["status": "unknown", "detail": "ns-node did not answer; retry later"]
        }
        switch reply.status {
        case 200:
            // An unreadable answer is reported as such in the job's status, not thrown: the job's own state still stands.
            guard let tx = try? CanonicalJSON.decode(reply.body), let height = tx["blockHeight"]?.intValue else {
                return ["status": "unknown", "detail": "ns-node answered with an unreadable transaction"]
            }
            return JobLedgerLookup.ledgerJSON(blockHeight: height, leafIndex: tx["leafIndex"]?.intValue, proofUrl: proofUrl)
        case 404: return JobLedgerLookup.ledgerJSON(blockHeight: nil, leafIndex: nil, proofUrl: nil)
        default: return ["status": "unknown", "detail": .string("ns-node answered \(reply.status); retry later")]
        }
    }
}
