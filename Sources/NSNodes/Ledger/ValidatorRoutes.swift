import Hummingbird
import Logging
import NSCore
import NSLedger

/// The validator set on ns-node: `GET /v1/validators` (public, like every read: anyone verifying
/// the chain needs to know who could sign which block) and `POST /v1/validators` (internal token:
/// admin-node forwards an administrator's change here).
struct ValidatorRoutes: Sendable {
    static let maxBodyBytes = 64 * 1024
    /// How many recent changes `GET /v1/validators` lists; the terms of every validator are
    /// always complete, so the list is for people, not for verification.
    static let changesListed = 100

    let store: any LedgerStore

    func add(public router: Router<NodeRequestContext>, internal writes: RouterGroup<NodeRequestContext>) {
        router.get("/v1/validators") { _, _ in try await list() }
        writes.post("/v1/validators") { request, context in try await change(request, logger: context.logger) }
    }

    /// `{"validators":[{"id","name","publicKey","addedHeight","removedHeight","active"}],"changes":[...]}`.
    private func list() async throws -> Response {
        let validators = try await store.reader.validators().map { record -> JSONValue in
            var json = record.validator.json.objectValue ?? [:]
            json["addedHeight"] = .int(record.addedHeight)
            json["removedHeight"] = record.removedHeight.map(JSONValue.int) ?? .null
            json["active"] = .bool(record.isActive)
            return .object(json)
        }
        let changes = try await store.reader.validatorChanges(limit: Self.changesListed).map(Self.json)
        return JSONBody.response(["validators": .array(validators), "changes": .array(changes)])
    }

    /// Records the change, durably, before answering 201 with it.
    private func change(_ request: Request, logger: Logger) async throws -> Response {
        let body = try ValidatorChangeBody(try await JSONBody.read(request, limit: Self.maxBodyBytes))
        let change = try await store.changeValidators(body.request, requestedBy: body.requestedBy)
        logger.notice("validator set changed", metadata: [
            "action": .string(change.action.rawValue), "validatorId": .string(change.validator.id),
            "effectiveHeight": .stringConvertible(change.effectiveHeight), "requestedBy": .string(change.requestedBy),
        ])
        return JSONBody.response(Self.json(change), status: .created)
    }

    /// `{"seq","action","id","name","publicKey","effectiveHeight","requestedBy","time"}`.
    static func json(_ change: ValidatorChange) -> JSONValue {
        var json = change.validator.json.objectValue ?? [:]
        json["seq"] = .int(change.seq)
        json["action"] = .string(change.action.rawValue)
        json["effectiveHeight"] = .int(Int64(change.effectiveHeight))
        json["requestedBy"] = .string(change.requestedBy)
        json["time"] = .int(change.time)
        return .object(json)
    }
}
