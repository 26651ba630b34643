import ArgumentParser
import Foundation
import NSCore

/// Where nsctl finds the nodes, and how it talks to them. Values come from flags, then the
/// environment, then `./.env` (or `--env-file`), then the defaults.
struct NodeOptions: ParsableArguments {
    @Option(name: .customLong("ns-url"), help: ArgumentHelp("ns-node base URL. Env: NS_NODE_URL (default \(NodeRole.ns.defaultURL)).", valueName: "url"))
    var nsURL: String?

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    /// Flags over environment over the dotenv file.
    func source(flags: [String: String] = [:]) throws -> ConfigurationSource {
        var merged = flags
        merged["NS_NODE_URL"] = nsURL
        return try Settings.source(envFile: connection.envFile, flags: merged)
    }

    func nsNode() throws -> NodeEndpoint {
        let source = try source()
        let url: URL
        do {
            url = try source.url("NS_NODE_URL", schemes: ["http", "https"]) ?? NodeRole.ns.defaultURL
        } catch {
            throw CommandFailure(error)
        }
        return NodeEndpoint(base: url, name: "ns-node", timeout: connection.requestTimeout)
    }
}
