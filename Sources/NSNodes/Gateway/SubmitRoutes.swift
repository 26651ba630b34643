import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NSCore
import NSQueue

/// `POST /api/submit` and `POST /api/submit-batch`: validate, then enqueue an ``ArtifactJob`` per
/// artifact. Nothing is enqueued unless the whole request is valid; a batch is enqueued all or
/// nothing; 202 means the job is durably in the queue.
struct SubmitRoutes {
    static let idempotencyWindow: Duration = .seconds(24 * 3600)

    let queue: any JobQueue
    let settings: GatewaySettings
    /// Where a replayed Idempotency-Key is checked once its job's payload is gone (completed, or
    /// deleted by retention while the key lives on).
    let ledger: JobLedgerLookup

    func add(to api: RouterGroup<NodeRequestContext>) {
        api.post("submit") { request, context in try await submit(request, context: context) }
        api.post("submit-batch") { request, context in try await submitBatch(request, context: context) }
    }

    func submit(_ request: Request, context: NodeRequestContext) async throws -> Response {
        let user = try Self.user(context)
        let idempotencyKey = try Self.idempotencyKey(request)
        let body = try await Self.parse(JSONBody.bytes(request, limit: settings.maxBodyBytes))
        let submission: Submission
        switch SubmissionRules.validate(body, at: "", maxContentChars: settings.maxArtifactChars) {
        case .valid(let valid): submission = valid
        case .invalid(let errors): throw NodeError.invalidFields(errors)
        }
        context.accessLog.setArtifactSize(submission.content.utf8.count)
        let job = newJob(submission, user: user, context: context,
                         uniqueKey: idempotencyKey.map { Self.queueKey(user: user.subject, idempotencyKey: $0) })
        let receipt = try await queue.enqueue(job)
        var headers: HTTPFields = [.location: Self.statusPath(receipt.id)]
        if receipt.deduplicated {
            try await checkSameRequest(receipt.id, as: job, requestID: context.requestID)
            headers[.idempotentReplayed] = "true"
        }
        // The access-log line carries userId and artifactSize; this one adds the job id for tracing.
        context.logger.debug("artifact submitted", metadata: ["jobId": .string(receipt.id)])
        return Self.accepted(Self.receipt(receipt.id), headers: headers)
    }

    func submitBatch(_ request: Request, context: NodeRequestContext) async throws -> Response {
        let user = try Self.user(context)
        let idempotencyKey = try Self.idempotencyKey(request)
        let body = try await Self.parse(JSONBody.bytes(request, limit: settings.maxBatchBodyBytes))
        guard let object = body.objectValue, let items = object["items"]?.arrayValue else {
            throw NodeError.invalidFields([.init(pointer: "/items", detail: "is required: an array of submissions")])
        }
        var errors: [ProblemDetails.FieldError] = object.keys.sorted().filter { $0 != "items" }
            .map { .init(pointer: "/" + SubmissionRules.escape($0), detail: "is not a known field (items)") }
        guard (1...settings.maxBatchItems).contains(items.count) else {
            throw NodeError.invalidFields(errors + [.init(pointer: "/items", detail: "must hold 1 to \(settings.maxBatchItems) items (has \(items.count))")])
        }
        var submissions: [Submission] = []
        for (index, item) in items.enumerated() {
            switch SubmissionRules.validate(item, at: "/items/\(index)", maxContentChars: settings.maxArtifactChars) {
            case .valid(let submission): submissions.append(submission)
            case .invalid(let itemErrors): errors += itemErrors
            }
        }
        guard errors.isEmpty else { throw NodeError.invalidFields(errors) }
        context.accessLog.setArtifactSize(submissions.reduce(0) { $0 + $1.content.utf8.count })
        // A replayed batch key maps each item to the job its position got the first time.
        let keyPrefix = idempotencyKey.map { Self.queueKey(user: user.subject, idempotencyKey: $0, batch: true) + ":" }
        let receipts = try await queue.enqueue(batch: submissions.enumerated().map { index, submission in
            newJob(submission, user: user, context: context, uniqueKey: keyPrefix.map { $0 + String(index) })
        })
        context.logger.debug("artifact batch submitted", metadata: ["items": .stringConvertible(receipts.count)])
        var answer = CanonicalObjectWriter(capacity: 96 * receipts.count + 16)
        answer.add("items", encoded: CanonicalJSON.array(ofEncoded: receipts.map { Self.receipt($0.id) }))
        return Self.accepted(answer.bytes())
    }

    private func newJob(_ submission: Submission, user: AuthenticatedUser, context: NodeRequestContext, uniqueKey: String?) -> NewJob {
        let job = ArtifactJob(content: submission.content, metadata: submission.metadata, submitter: user.subject,
                              submittedAt: Int64(Date().timeIntervalSince1970 * 1000), requestID: context.requestID)
        return NewJob(type: ArtifactJob.type, payload: job.encoded(), priority: submission.priority,
                      uniqueKey: uniqueKey, uniqueKeyTTL: Self.idempotencyWindow)
    }

    /// An idempotency key replayed with a different artifact is a client bug; answering with the
    /// first job would silently drop the second artifact, so it is refused instead. The first job
    /// is compared while the queue holds its payload; once it completed (payload dropped) or
    /// retention deleted it, its ledger transaction is (artifact SHA-256 and metadata; the
    /// priority is not recorded there). Only a first job that never reached the ledger and is
    /// gone (cancelled, or a purged dead letter) cannot be compared: the replay then gets its id.
    private func checkSameRequest(_ id: String, as job: NewJob, requestID: String) async throws {
        guard let second = ArtifactJob(payload: job.payload) else { return }
        let stored = try await queue.job(id: id)
        if let stored, let first = ArtifactJob(payload: stored.payload) {
            guard first.content == second.content, first.metadata == second.metadata, stored.priority == job.priority else { throw Self.keyReused }
            return
        }
        guard let record = try await ledger.record(jobID: id, requestID: requestID) else { return }
        let digest = MerkleHash.sha256(Array(second.content.utf8)).hex
        guard record.artifactSHA256 == digest, record.metadata == .object(second.metadata) else { throw Self.keyReused }
    }

    static let keyReused = NodeError.conflict(detail: "this Idempotency-Key was used within 24 h for a different submission; use a new key")

    static func user(_ context: NodeRequestContext) throws -> AuthenticatedUser {
        guard let user = context.user else { throw NodeError.unauthorized(detail: "authentication is required", tokenPresented: false) }
        return user
    }

    /// `Idempotency-Key`: 1 to 255 visible ASCII characters.
    static func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[.idempotencyKey] else { return nil }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7e).contains($0) }) else {
            throw NodeError.badRequest(detail: "Idempotency-Key must be 1 to 255 visible ASCII characters")
        }
        return key
    }

    /// A body that is not JSON is a validation failure of the whole document (pointer "").
    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        do {
            return try CanonicalJSON.decode(bytes)
        } catch {
            throw NodeError.invalidFields([.init(pointer: "", detail: error.description)])
        }
    }

    /// Keeps user names out of queue keys (and so out of Redis key listings).
    static func fingerprint(_ subject: String) -> String {
        Hex.encode(SHA256.hash(data: Array(subject.utf8)).prefix(12))
    }

    /// The queue's unique key for an idempotency key: user and key are both hashed, so the key
    /// has a fixed length (a 255-character `Idempotency-Key` fits the queue's 256) and names nobody.
    static func queueKey(user: String, idempotencyKey: String, batch: Bool = false) -> String {
        "idem:\(fingerprint(user)):\(batch ? "batch:" : "")\(Hex.encode(SHA256.hash(data: Array(idempotencyKey.utf8))))"
    }

    static func statusPath(_ id: String) -> String { "/api/status/\(id)" }

    /// `{"id", "status": "queued", "statusUrl"}`, written straight to bytes: it answers every submission.
    static func receipt(_ id: String) -> [UInt8] {
        var object = CanonicalObjectWriter(capacity: 2 * id.utf8.count + 64)
        object.add("id", id)
        object.add("status", "queued")
        object.add("statusUrl", statusPath(id))
        return object.bytes()
    }

    static func accepted(_ body: [UInt8], headers: HTTPFields = [:]) -> Response {
        var response = JSONBody.response(encoded: body, status: .accepted)
        response.headers.append(contentsOf: headers)
        return response
    }
}

extension HTTPField.Name {
    public static let idempotencyKey = Self("Idempotency-Key")!  // a valid token literal
    public static let idempotentReplayed = Self("Idempotent-Replayed")!  // a valid token literal
}
