import NSCore

/// A refused job is 422 naming it by its index in the request; a store that cannot be used (or a
/// lease lost to recovery) is 503, with the store's reason for the node's log only.
extension JobQueueError: ProblemError {
    public var httpProblem: HTTPProblem {
        switch self {
        case .invalid(let index, let reason): .invalidFields([.init(pointer: "/\(index)", detail: reason)])
        case .notFound(let id): .notFound("no job \(id)")
        case .unavailable(let reason): .unavailable("the job queue", reason: reason)
        case .leaseLost: .unavailable("the job queue")
        }
    }
}
