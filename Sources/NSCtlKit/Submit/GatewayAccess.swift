import ArgumentParser
import Foundation
import NSCore

/// How nsctl reaches the gateway and proves who it is: `--token-file`, else `NSCTL_TOKEN` from
/// the environment or .env, else a token minted from `JWT_SECRET` there for `--sub`. A token is
/// never taken as a flag value, where `ps` and shell history would show it.
struct GatewayOptions: ParsableArguments {
    @Option(name: .customLong("gateway-url"), help: ArgumentHelp("Gateway base URL. Env: GATEWAY_URL (default http://localhost:8080).", valueName: "url"))
    var gatewayURL: String?

    @Option(help: ArgumentHelp("File holding the bearer token.", valueName: "path"))
    var tokenFile: String?

    @Option(help: ArgumentHelp("User to mint a token for when neither --token-file nor NSCTL_TOKEN is given.", valueName: "name"))
    var sub = "nsctl"

    @Option(help: ArgumentHelp("Seconds to wait for each request.", valueName: "seconds"))
    var timeout: Double = 10

    @Option(help: ArgumentHelp("dotenv file read after the environment (default ./.env if present).", valueName: "path"))
    var envFile: String?

    func validate() throws {
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
    }

    func source() throws -> ConfigurationSource {
        try Settings.source(envFile: envFile, flags: gatewayURL.map { ["GATEWAY_URL": $0] } ?? [:])
    }

    func gateway() throws -> NodeClient {
        let url: URL
        do {
            url = try source().url("GATEWAY_URL", schemes: ["http", "https"]) ?? URL(string: "http://localhost:8080")!  // literal, valid
        } catch let error as ConfigurationError {
            throw CommandFailure(error.description, exitCode: 78)
        }
        return NodeClient(base: url, name: "the gateway", timeout: .milliseconds(Int64(timeout * 1000)), addressHint: "--gateway-url / GATEWAY_URL")
    }

    /// The `Authorization` header value.
    func authorization() async throws -> String {
        if let tokenFile {
            guard let data = FileManager.default.contents(atPath: tokenFile),
                  let token = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty else {
                throw CommandFailure("--token-file \(tokenFile) cannot be read or is empty")
            }
            return "Bearer " + token
        }
        let source = try source()
        if let token = try? source.secret("NSCTL_TOKEN") { return "Bearer " + token.reveal() }
        let secret = try EnvironmentSecrets(source: source).require("JWT_SECRET")
        return "Bearer " + (try await TokenMinter.mint(secret: secret, subject: sub, role: nil, lifetime: .seconds(3600)))
    }
}
