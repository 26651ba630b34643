/// Comparison of secret-derived values (cookie signatures, CSRF tokens) whose time does not
/// depend on where the first difference is.
enum ConstantTime {
    static func equal(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        return left.count == right.count && zip(left, right).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
