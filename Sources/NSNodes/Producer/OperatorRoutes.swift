import Foundation
import Hummingbird
import Logging
import NSCore
import NSQueue

/// vp-node's operator API, used by `nsctl jobs` and `nsctl queue`: read jobs and the dead-letter
/// queue, retry, purge, cancel, pause and resume.
///
/// Every route needs a bearer token signed with `ADMIN_JWT_SECRET` (`nsctl token create --admin`)
/// whose `role` allows the action: viewer reads; operator also changes jobs and the queue; admin
/// is allowed everything. Each change is logged (user, role, action, what it touched) as the
/// audit trail of operator actions.
///
/// `GET /v1/jobs/{id}` falls back on the ledger once retention has deleted a finished job's
/// record: `ledger` finds its transaction by job id on ns-node, and the job is answered as
/// completed with `"source": "ledger"`.
struct OperatorRoutes {
    let queue: any JobQueue
    let verifier: TokenVerifier
    /// ns-node, where jobs the queue no longer holds are looked up; `nil`: no fallback (404).
    let ledger: JobLedgerLookup?
    let logger: Logger

    func add(to router: Router<NodeRequestContext>) {
        let api = router.group("v1").add(middleware: TokenAuthMiddleware(verifier: verifier))
        api.get("jobs") { request, context in
            try Self.require(.viewer, context)
            let query = request.uri.queryParameters
            guard let state = JobState(rawValue: query.get("state") ?? "queued") else {
                throw NodeError.badRequest(detail: "state must be one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return try await list(queue.jobs(in: state, limit: Self.limit(query.get("limit")), after: query.get("after")))
        }
        api.get("jobs/{id}") { _, context in
            try Self.require(.viewer, context)
            let id = try context.parameters.require("id")
            if id.utf8.count <= 128, let job = try await queue.job(id: id) { return JSONBody.response(Self.json(job)) }
            guard let ledger, let record = try await ledger.record(jobID: id, requestID: context.requestID) else {
                throw NodeError.notFound(detail: "no job \(id) in the queue or the ledger")
            }
            return JSONBody.response(Self.ledgerJSON(id: id, record: record))
        }
        api.post("jobs/{id}/cancel") { _, context in
            try Self.require(.operator, context)
            let id = try context.parameters.require("id")
            let job = try await job(id)
            guard try await queue.cancel(id: id) else {
                throw NodeError.conflict(detail: "job \(id) is \(job.state.rawValue); only queued or retrying jobs can be cancelled")
            }
            audit(context, "cancel", ["id": .string(id)])
            return JSONBody.response(["id": .string(id), "state": "cancelled"])
        }
        api.get("dlq") { request, context in
            try Self.require(.viewer, context)
            let query = request.uri.queryParameters
            return try await list(queue.deadLetters(type: query.get("type"), limit: Self.limit(query.get("limit")), after: query.get("after")))
        }
        api.post("dlq/retry") { request, context in
            try Self.require(.operator, context)
            let selection = try await Self.selection(request, allowsAge: false)
            let count = try await queue.retryDeadLetters(selection)
            audit(context, "dlq retry", ["selection": .string("\(selection)"), "count": .stringConvertible(count)])
            return JSONBody.response(["retried": .int(Int64(count))])
        }
        api.post("dlq/purge") { request, context in
            try Self.require(.operator, context)
            let selection = try await Self.selection(request, allowsAge: true)
            let count = try await queue.purgeDeadLetters(selection)
            audit(context, "dlq purge", ["selection": .string("\(selection)"), "count": .stringConvertible(count)])
            return JSONBody.response(["purged": .int(Int64(count))])
        }
        api.get("queue") { _, context in
            try Self.require(.viewer, context)
            let counts = try await queue.counts()
            let states = JSONValue.object(Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0.rawValue, JSONValue.int(Int64(counts.total($0)))) }))
            return JSONBody.response(["paused": .bool(try await queue.isPaused()), "counts": states])
        }
        for (path, paused) in [("queue/pause", true), ("queue/resume", false)] {
            api.post(RouterPath(stringLiteral: path)) { _, context in
                try Self.require(.operator, context)
                try await queue.setPaused(paused)
                audit(context, paused ? "queue pause" : "queue resume", [:])
                return JSONBody.response(["paused": .bool(paused)])
            }
        }
    }

    private func job(_ id: String) async throws -> Job {
        guard id.utf8.count <= 128, let job = try await queue.job(id: id) else { throw NodeError.notFound(detail: "no job \(id)") }
        return job
    }

    private func list(_ jobs: [Job]) -> Response {
        JSONBody.response(["jobs": .array(jobs.map(Self.json)), "next": jobs.count > 0 ? .string(jobs[jobs.count - 1].id) : .null])
    }

    private func audit(_ context: NodeRequestContext, _ action: String, _ details: Logger.Metadata) {
        var metadata = details
        metadata["action"] = .string(action)
        metadata["userId"] = .string(context.user?.subject ?? "")
        metadata["role"] = .string(context.user?.role?.rawValue ?? "")
        logger.notice("operator action", metadata: metadata)
    }

    static func require(_ role: OperatorRole, _ context: NodeRequestContext) throws {
        guard let held = context.user?.role, held >= role else {
            // An unknown role never gets here: the verifier refuses it (401) naming the roles.
            let has = context.user?.role.map { "the token's role is \($0.rawValue)" } ?? "the token has no role"
            throw NodeError.forbidden(detail: "this needs the \(role.rawValue) role; \(has) (mint one with nsctl token create --admin --role \(role.rawValue))")
        }
    }

    static func limit(_ text: String?) throws -> Int {
        guard let text else { return 100 }
        guard let value = Int(text), (1...1_000).contains(value) else { throw NodeError.badRequest(detail: "limit must be 1 to 1000") }
        return value
    }

    /// `{"ids": [...]}`, `{"all": true, "type"?: "..."}` or, for purges, `{"olderThanMs": N}`.
    static func selection(_ request: Request, allowsAge: Bool) async throws -> DeadLetterSelection {
        let body = try await JSONBody.read(request, limit: 1 << 20)
        if let ids = body["ids"]?.arrayValue {
            let strings = ids.compactMap(\.stringValue)
            guard !strings.isEmpty, strings.count == ids.count, strings.count <= 10_000 else {
                throw NodeError.invalidFields([.init(pointer: "/ids", detail: "must be 1 to 10,000 job ids")])
            }
            return .ids(strings)
        }
        if body["all"] == .bool(true) { return .all(type: body["type"]?.stringValue) }
        if allowsAge, let age = body["olderThanMs"]?.intValue, age >= 0 {
            return .olderThan(Int64(Date().timeIntervalSince1970 * 1000) - age)
        }
        throw NodeError.invalidFields([.init(pointer: "", detail: allowsAge ? "send ids, all: true, or olderThanMs" : "send ids or all: true")])
    }

    static func json(_ job: Job) -> JSONValue {
        var fields = JobJSON.common(job)
        fields["type"] = .string(job.type)
        fields["errors"] = .array(job.errors.map { JobJSON.failure($0, withWorker: true) })
        if let owner = job.leaseOwner { fields["leaseOwner"] = .string(owner) }
        if job.state == .completed, let outcome = job.result.flatMap(ArtifactJob.Outcome.init(result:)) {
            fields["txHash"] = .string(outcome.txHash)
        }
        return .object(fields)
    }

    /// A finished job the queue no longer holds, as its transaction in the ledger tells it.
    static func ledgerJSON(id: String, record: JobLedgerLookup.Record) -> JSONValue {
        ["id": .string(id), "state": .string(JobState.completed.rawValue), "source": "ledger", "txHash": .string(record.txHash),
         "submitter": .string(record.submitter), "ledger": record.ledgerJSON(proofUrl: nil)]
    }
}
