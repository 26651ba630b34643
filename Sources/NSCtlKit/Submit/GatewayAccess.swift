import ArgumentParser
import Foundation
import NSCore

/// How nsctl reaches the gateway and proves who it is: `--token-file`, else `NSCTL_TOKEN` from
/// the environment or .env, else a token minted from `JWT_SECRET` there for `--sub`. A token is
/// never taken as a flag value, where `ps` and shell history would show it.
struct GatewayOptions: ParsableArguments {
    @Option(name: .customLong("gateway-url"), help: ArgumentHelp("Gateway base URL. Env: GATEWAY_URL (default \(NodeRole.gateway.defaultURL)).", valueName: "url"))
    var gatewayURL: String?

    @Option(help: ArgumentHelp("File holding the bearer token.", valueName: "path"))
    var tokenFile: String?

    @Option(help: ArgumentHelp("User to mint a token for when neither --token-file nor NSCTL_TOKEN is given.", valueName: "name"))
    var sub = "nsctl"

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var local: LocalNSDOptions

    func source() throws -> ConfigurationSource {
        try Settings.source(envFile: connection.envFile, flags: gatewayURL.map { ["GATEWAY_URL": $0] } ?? [:])
    }

    func gateway() throws -> NodeEndpoint {
        let url: URL
        do {
            url = try source().url("GATEWAY_URL", schemes: ["http", "https"]) ?? NodeRole.gateway.defaultURL
        } catch let error as ConfigurationError {
            throw CommandFailure(error)
        }
        return NodeEndpoint(base: url, name: "the gateway", timeout: connection.requestTimeout, addressHint: "--gateway-url / GATEWAY_URL")
    }

    /// The bearer token, and where it came from.
    func credential() async throws -> BearerToken.Credential {
        let source = try source()
        return try await BearerToken(tokenFile: tokenFile, variable: "NSCTL_TOKEN", secretName: "JWT_SECRET")
            .credential(source: source, local: local.find(source: source), subject: sub, role: nil, lifetime: .seconds(3600))
    }
}
