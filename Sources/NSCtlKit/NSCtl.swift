import ArgumentParser
import NSCore

/// `nsctl`, the operator tool. Its subcommands talk to the nodes' HTTP APIs and to the files
/// under the data directory; each lives in its own file as an extension of this type.
public struct NSCtl: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "nsctl",
        abstract: "Operate a NeuroSwarm network: secrets, submissions, jobs, health, backups.",
        discussion: """
            Settings come from flags, then the environment, then ./.env, then defaults \
            (gateway http://localhost:8080, ns-node :3009, vp-node :3002, admin-node :3000).
            """,
        version: NeuroSwarmVersion.current,
        subcommands: [Chain.self, Verify.self])

    public init() {}
}
