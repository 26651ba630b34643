import ArgumentParser
import Foundation
import NSCore

/// `nsctl`, the operator tool. Its subcommands talk to the nodes' HTTP APIs and to the files
/// under the data directory; each lives in its own file as an extension of this type.
public struct NSCtl: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "nsctl",
        abstract: "Operate a NeuroSwarm network: secrets, submissions, jobs, health, backups.",
        discussion: """
            Settings come from flags, then the environment, then ./.env, then defaults \
            (gateway \(NodeRole.gateway.defaultURL), ns-node :\(NodeRole.ns.defaultPort), vp-node :\(NodeRole.vp.defaultPort), admin-node :\(NodeRole.admin.defaultPort)).
            """,
        version: NeuroSwarmVersion.current,
        subcommands: [Secrets.self, Env.self, Token.self, Submit.self, Jobs.self, Queue.self, Health.self, Monitor.self, Chain.self, Verify.self,
                      Backup.self, Restore.self, GenerateDocs.self, Compose.self, Audit.self])

    public init() {}

    /// The subcommands that follow the monitoring-plugin convention even for bad arguments.
    static let monitoringPlugins: Set<String> = ["health", "monitor"]

    /// Runs nsctl. `nsctl health` and `nsctl monitor` follow the monitoring-plugin convention
    /// even for bad arguments: UNKNOWN (exit 3), where argument-parser would exit 64.
    public static func runMain(arguments: [String] = Array(CommandLine.arguments.dropFirst())) async {
        guard let first = arguments.first, monitoringPlugins.contains(first) else { return await main(arguments) }
        do {
            var command = try parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if let status = healthExitStatus(for: error) {
                FileHandle.standardError.write(Data("nsctl: \(message(for: error))\n".utf8))
                Foundation.exit(status)
            }
            exit(withError: error)
        }
    }

    /// The exit status `nsctl health` gives for an error out of parsing or running it: UNKNOWN for
    /// bad arguments, as monitoring plugins do; `nil` leaves the status to argument-parser.
    static func healthExitStatus(for error: any Error) -> Int32? {
        exitCode(for: error) == .validationFailure ? HealthVerdict.State.unknown.rawValue : nil
    }
}
