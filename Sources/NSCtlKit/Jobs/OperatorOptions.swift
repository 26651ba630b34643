import ArgumentParser
import Foundation
import NSCore
import NSNodeClient

/// How `nsctl jobs` and `nsctl queue` reach vp-node's operator API: `--vp-url` or `VP_URL`, and
/// a token from `--token-file`, else `NSCTL_ADMIN_TOKEN`, else minted from `ADMIN_JWT_SECRET`
/// (environment or .env) for `--sub` with `--role`. Never a token as a flag value.
struct OperatorOptions: ParsableArguments {
    @Option(name: .customLong("vp-url"), help: ArgumentHelp("vp-node base URL. Env: VP_URL (default \(NodeRole.vp.defaultURL)).", valueName: "url"))
    var vpURL: String?

    @Option(help: ArgumentHelp("File holding an operator token (nsctl token create --admin).", valueName: "path"))
    var tokenFile: String?

    @Option(help: ArgumentHelp("User named in a minted token.", valueName: "name"))
    var sub = "nsctl"

    @Option(help: ArgumentHelp("Role of a minted token: \(OperatorRole.choices).", valueName: "role"))
    var role = OperatorRole.operator.rawValue

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var local: LocalNSDOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        guard OperatorRole(rawValue: role) != nil else { throw ValidationError("--role must be \(OperatorRole.choices)") }
    }

    /// A connection to vp-node's operator API.
    func api() async throws -> OperatorAPI {
        let source = try Settings.source(envFile: connection.envFile, flags: vpURL.map { ["VP_URL": $0] } ?? [:])
        let url: URL
        do {
            url = try source.url("VP_URL", schemes: ["http", "https"]) ?? NodeRole.vp.defaultURL
        } catch {
            throw CommandFailure(error)
        }
        let client = NodeEndpoint(base: url, name: "vp-node", timeout: connection.requestTimeout, addressHint: "--vp-url / VP_URL")
        let credential = try await BearerToken(tokenFile: tokenFile, variable: "NSCTL_ADMIN_TOKEN", secretName: "ADMIN_JWT_SECRET")
            .credential(source: source, local: local.find(source: source), subject: sub, role: role, lifetime: .seconds(600))
        return OperatorAPI(client: client, credential: credential)
    }
}

/// Calls to vp-node's `/v1` operator routes; a refusal becomes a one-line ``CommandFailure``.
struct OperatorAPI {
    let client: NodeEndpoint
    let credential: BearerToken.Credential

    func get(_ path: String) async throws -> JSONValue {
        try decode(try await client.get(path, bearer: credential.token), "GET \(path)")
    }

    func post(_ path: String, _ body: JSONValue = [:]) async throws -> JSONValue {
        try decode(try await client.send(.POST, path, body: CanonicalJSON.encode(body), bearer: credential.token), "POST \(path)")
    }

    private func decode(_ reply: NodeReply, _ what: String) throws -> JSONValue {
        // A body that is not JSON is reported below with the reply's own summary.
        guard reply.status == 200, let value = try? CanonicalJSON.decode(reply.body) else {
            throw CommandFailure("vp-node refused \(what), \(reply.problem.summary)\(credential.hint(for: reply))")
        }
        return value
    }
}
