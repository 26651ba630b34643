import NSCore

/// Why the witness did not cosign, each with the status c2sp.org/tlog-witness prescribes.
public enum WitnessRefusal: ProblemError, Equatable {
    /// 400: the body is not an add-checkpoint request, or its old size exceeds the checkpoint's.
    case malformed(String)
    /// 404: the checkpoint's origin is not in `WITNESS_LOGS`.
    case unknownLog(origin: String)
    /// 403: no signature by the log's configured key verifies.
    case notSignedByLog(origin: String, reason: String)
    /// 409: the old size is not the size last cosigned (`recordedSize`), or it is but the root
    /// differs. The answer's body is `recordedSize` as `text/x.tlog.size`.
    case conflict(recordedSize: UInt64)
    /// 422: the consistency proof does not lead from the recorded tree to the checkpoint.
    case inconsistent(origin: String, oldSize: UInt64, size: UInt64)
    /// 503: the state could not be read or recorded; nothing was cosigned.
    case storage(reason: String)

    /// The label `ns_witness_refusals_total` counts this refusal under.
    public var label: String {
        switch self {
        case .malformed: "malformed"
        case .unknownLog: "unknown_log"
        case .notSignedByLog: "bad_signature"
        case .conflict: "conflict"
        case .inconsistent: "inconsistent"
        case .storage: "storage"
        }
    }

    public var httpProblem: HTTPProblem {
        switch self {
        case .malformed(let reason): .badRequest("not an add-checkpoint request: \(reason)")
        case .unknownLog(let origin): .notFound("this witness does not witness the log \(origin)")
        case .notSignedByLog(let origin, let reason):
            HTTPProblem(status: 403, slug: "forbidden", title: "Forbidden", detail: "no signature by \(origin)'s key verifies (\(reason))")
        case .conflict(let size):
            HTTPProblem(status: 409, slug: "conflict", title: "Conflict", detail: "the witness last cosigned size \(size)")
        case .inconsistent(let origin, let oldSize, let size):
            HTTPProblem(status: 422, slug: "inconsistent", title: "Inconsistent checkpoint",
                        detail: "the consistency proof does not show \(origin)'s tree of \(size) extending the tree of \(oldSize) the witness cosigned")
        case .storage(let reason): .unavailable("the witness's database", reason: reason)
        }
    }
}
