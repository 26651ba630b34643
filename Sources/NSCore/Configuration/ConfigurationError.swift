/// A configuration value that stops start-up.
///
/// It always names the variable, says what is wrong and how to fix it, and never carries a secret's
/// value: `description` is the one line `nsd` prints before exiting with ``exitCode``.
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `EX_CONFIG` from sysexits(3): the conventional exit status for a configuration error.
    public static let exitCode: Int32 = 78

    /// The variable (or flag's variable) at fault.
    public let variable: String
    /// What is wrong, safe to print.
    public let problem: String
    /// What the operator should do.
    public let fix: String

    public init(variable: String, problem: String, fix: String) {
        self.variable = variable
        self.problem = problem
        self.fix = fix
    }

    public var description: String {
        // A problem starting with "=" quotes the offending value right after the name.
        "configuration error: \(variable)\(problem.hasPrefix("=") ? "" : " ")\(problem); \(fix)"
    }
}
