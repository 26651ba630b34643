import ArgumentParser
import Foundation
import NSCore

/// A command that cannot do its job: one line on stderr saying what went wrong and what to do,
/// then a non-zero exit.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    let exitCode: Int32

    init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    /// A configuration problem: `message` with `EX_CONFIG`, the status nsd exits with for one.
    static func configuration(_ message: String) -> CommandFailure {
        CommandFailure(message, exitCode: ConfigurationError.exitCode)
    }

    /// A setting that cannot be used, in the words nsd would print for it.
    init(_ error: ConfigurationError) {
        self.init(error.description, exitCode: ConfigurationError.exitCode)
    }

    var description: String { message }

    /// Prints the message and exits with its code.
    func exit() -> Never {
        FileHandle.standardError.write(Data("nsctl: \(message)\n".utf8))
        Foundation.exit(exitCode)
    }
}

extension AsyncParsableCommand {
    /// Runs `body`, turning a ``CommandFailure`` into its one stderr line and exit code.
    func reportingFailures(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as CommandFailure {
            failure.exit()
        }
    }
}
