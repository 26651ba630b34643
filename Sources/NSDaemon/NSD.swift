import ArgumentParser
import NSCore

/// `nsd`, the NeuroSwarm daemon: hosts the gateway, ns-node, vp-node and admin-node.
public struct NSD: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "nsd",
        abstract: "The NeuroSwarm daemon: hosts the gateway, ns-node, vp-node and admin-node.",
        discussion: """
            `nsd run` starts every node in one process on an embedded SQLite store under --data-dir. \
            `nsd run --role ns` (repeatable) starts only the named nodes, as the compose deployment does.

            Settings come from flags, then the environment, then ./.env, then defaults. \
            A configuration error stops start-up with one line on stderr and exit status \(ConfigurationError.exitCode).
            """,
        version: NeuroSwarmVersion.current,
        subcommands: [Run.self],
        defaultSubcommand: nil)

    public init() {}
}
