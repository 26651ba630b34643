import Foundation
import NSTestSupport

/// Runs the real `nsctl` binary with a minimal environment.
enum NSCtlRunner {
    struct Outcome {
        let status: Int32?
        let stdout: String
        let stderr: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) async throws -> Outcome {
        let child = try ChildProcess(executable: try NSDInstance.nsctl(), arguments: arguments, environment: NSDInstance.environment(environment),
                                     directory: directory)
        let status = await child.waitForExit(timeout: .seconds(60))
        return Outcome(status: status, stdout: child.stdout, stderr: child.stderr)
    }
}
