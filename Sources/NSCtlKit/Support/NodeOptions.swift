import ArgumentParser
import Foundation
import NSCore

/// Where nsctl finds the nodes, and how it talks to them. Values come from flags, then the
/// environment, then `./.env` (or `--env-file`), then the defaults.
struct NodeOptions: ParsableArguments {
    @Option(name: .customLong("ns-url"), help: ArgumentHelp("ns-node base URL, or several comma-separated that calls fail over across. Env: NS_NODE_URL (default \(NodeRole.ns.defaultURL)).",
                                                                 valueName: "url"))
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

    /// ns-node, or the several listed (comma-separated) that calls fail over across.
    func nsNode() throws -> NodeEndpoint {
        NodeEndpoint(bases: try Self.nsNodeURLs(source: try source()), name: "ns-node", timeout: connection.requestTimeout)
    }

    /// `NS_NODE_URL`: one ns-node or several, comma-separated; the default when unset.
    static func nsNodeURLs(source: ConfigurationSource) throws -> [URL] {
        do {
            return try source.urls("NS_NODE_URL", schemes: ["http", "https"]) ?? [NodeRole.ns.defaultURL]
        } catch {
            throw CommandFailure(error)
        }
    }
}
