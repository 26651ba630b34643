/// The dashboard's and operator API's roles, each allowed what the one before it is, and more:
/// viewers read; operators also act on jobs and the queue; admins also govern.
///
/// The raw value is the token's `role` claim: nodes read it and `nsctl token create --role` writes it.
public enum OperatorRole: String, Sendable, Comparable, CaseIterable {
    case viewer, `operator`, admin

    public static func < (lhs: OperatorRole, rhs: OperatorRole) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!  // both are cases of allCases
    }

    /// The roles in words, lowest first, for help and errors: `viewer, operator or admin`.
    public static var choices: String {
        let names = allCases.map(\.rawValue)
        return names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1]
    }
}
