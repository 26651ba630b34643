/// A transaction that breaks a rule is 422 naming the field; a body that is not canonical JSON is
/// 400: neither is worth retrying unchanged.
extension TransactionError: ProblemError {
    public var httpProblem: HTTPProblem { .invalidFields([.init(pointer: pointer, detail: reason)]) }
}

extension CanonicalJSONError: ProblemError {
    public var httpProblem: HTTPProblem { .badRequest(description) }
}
