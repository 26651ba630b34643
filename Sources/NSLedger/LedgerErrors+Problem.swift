import NSCore

/// The answer a producer gets for a refused block: a conflict with the tip is 409 (rebuild on
/// it), a ledger that cannot write is 503 (retry), anything else a 422 naming the broken rule.
extension BlockRejection: ProblemError {
    public var httpProblem: HTTPProblem {
        let isUnavailable = if case .unavailable = self { true } else { false }
        let status = isConflict ? 409 : (isUnavailable ? 503 : 422)
        return HTTPProblem(status: status, slug: "block-\(check)",
                           title: isConflict ? "The block conflicts with the current tip" : "The block is invalid",
                           detail: description, check: check, retryAfterSeconds: isUnavailable ? 1 : nil)
    }
}

extension LedgerError: ProblemError {
    public var httpProblem: HTTPProblem {
        switch self {
        case .mempoolFull:
            HTTPProblem(status: 503, slug: "mempool-full", title: "Service Unavailable", detail: description, retryAfterSeconds: 1)
        case .outOfRange:
            HTTPProblem(status: 400, slug: "out-of-range", title: "Bad Request", detail: description)
        case .notFound:
            HTTPProblem(status: 404, slug: "not-found", title: "Not Found", detail: description)
        case .storage:
            HTTPProblem(status: 503, slug: "unavailable", title: "Service Unavailable", detail: description, retryAfterSeconds: 1)
        }
    }
}

/// A change that would leave the validator set inconsistent is 409; one the database could not
/// record is 503.
extension ValidatorChangeError: ProblemError {
    public var httpProblem: HTTPProblem {
        if case .storage = self {
            return HTTPProblem(status: 503, slug: slug, title: "Service Unavailable", detail: description, retryAfterSeconds: 1)
        }
        return HTTPProblem(status: 409, slug: slug, title: "The change conflicts with the validator set", detail: description)
    }
}
