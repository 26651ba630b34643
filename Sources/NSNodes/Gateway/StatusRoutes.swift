import Hummingbird
import NSCore
import NSQueue

/// `GET /api/status/{id}` and `GET /api/status/{id}/proof`: a job's progress and, once its
/// transaction is in a block, where it is in the ledger and the proof that it is there.
///
/// A user sees only jobs they submitted (403 otherwise); a token with `role: admin` sees all.
/// Ledger facts are read from ns-node; when it cannot answer, the job's own state is still
/// returned, with `ledger.status` = `unknown`.
struct StatusRoutes {
    let queue: any JobQueue
    let nsNode: PeerAddress
    let client: NodeHTTPClient
    let timeout: Duration

    func add(to api: RouterGroup<NodeRequestContext>) {
        api.get("status/{id}") { _, context in try await status(context) }
        api.get("status/{id}/proof") { _, context in try await proof(context) }
    }

    func status(_ context: NodeRequestContext) async throws -> Response {
        let (job, id) = try await visibleJob(context)
        var fields = JobJSON.common(job)
        if let last = job.errors.last { fields["lastError"] = JobJSON.failure(last, withWorker: false) }
        if job.state == .completed, let outcome = job.result.flatMap(ArtifactJob.Outcome.init(result:)) {
            fields["txHash"] = .string(outcome.txHash)
            fields["ledger"] = await ledgerStatus(outcome.txHash, id: id, context: context)
        }
        return JSONBody.response(.object(fields))
    }

    /// The inclusion proof of the job's transaction against the current checkpoint, as ns-node gives it.
    func proof(_ context: NodeRequestContext) async throws -> Response {
        let (job, _) = try await visibleJob(context)
        guard job.state == .completed, let outcome = job.result.flatMap(ArtifactJob.Outcome.init(result:)) else {
            throw NodeError.notFound(detail: "the job has no ledger transaction yet (state \(job.state.rawValue))")
        }
        let reply: NodeHTTPClient.Reply
        do {
            reply = try await client.get(await nsNode.url(), path: "/v1/proof/inclusion?leaf=\(outcome.txHash)",
                                         requestID: context.requestID, timeout: timeout)
        } catch {
            throw NodeError.dependencyUnavailable(dependency: "ns-node", retryAfterSeconds: 5)
        }
        switch reply.status {
        case 200: return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: reply.body))
        case 404: throw NodeError.notFound(detail: "transaction \(outcome.txHash) is not in a block yet; retry after the next block")
        default: throw NodeError.dependencyUnavailable(dependency: "ns-node", retryAfterSeconds: 5)
        }
    }

    private func visibleJob(_ context: NodeRequestContext) async throws -> (Job, String) {
        let user = try SubmitRoutes.user(context)
        let id = try context.parameters.require("id")
        guard id.utf8.count <= 128, let job = try await queue.job(id: id), job.type == ArtifactJob.type else {
            throw NodeError.notFound(detail: "no submission \(id)")
        }
        guard user.isAdmin || ArtifactJob(payload: job.payload)?.submitter == user.subject else {
            throw NodeError.forbidden(detail: "submission \(id) belongs to another user")
        }
        return (job, id)
    }

    private func ledgerStatus(_ txHash: String, id: String, context: NodeRequestContext) async -> JSONValue {
        let proofUrl = JSONValue.string(SubmitRoutes.statusPath(id) + "/proof")
        guard let reply = try? await client.get(await nsNode.url(), path: "/v1/tx/\(txHash)", requestID: context.requestID, timeout: timeout) else {
            return ["status": "unknown", "detail": "ns-node did not answer; retry later"]
        }
        switch reply.status {
        case 200:
            guard let tx = try? CanonicalJSON.decode(reply.body.readableBytesView), let height = tx["blockHeight"]?.intValue else {
                return ["status": "unknown", "detail": "ns-node answered with an unreadable transaction"]
            }
            return ["status": "committed", "blockHeight": .int(height), "leafIndex": tx["leafIndex"] ?? .null, "proofUrl": proofUrl]
        case 404: return ["status": "pending", "detail": "the transaction waits in the mempool for the next block"]
        default: return ["status": "unknown", "detail": .string("ns-node answered \(reply.status); retry later")]
        }
    }

}
