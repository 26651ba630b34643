import ArgumentParser
import NSCore

/// The flags of `nsd run`. Each flag that has an environment variable is passed on under that
/// variable's name, so flags, environment and `.env` resolve through one path.
struct RunOptions: ParsableArguments {
    @Option(name: .customLong("role"), help: ArgumentHelp("Node to run: gateway, ns, vp, admin or witness. Repeat for several; omit to run all four (and the witness when WITNESS_* is set).", valueName: "role"))
    var roles: [NodeRole] = []

    @Option(help: ArgumentHelp("Folder for node state (ns-node-data, vp-node-data, admin-node-data). Env: DATA_DIR.", valueName: "path"))
    var dataDir: String?

    @Option(help: ArgumentHelp("Address to listen on. Env: HOST.", valueName: "address"))
    var host: String?

    @Option(help: ArgumentHelp("Port when exactly one --role runs (0 picks a free port). Env: PORT.", valueName: "port"))
    var port: Int?

    @Option(help: ArgumentHelp("gateway-node port. Env: GATEWAY_PORT (default \(NodeRole.gateway.defaultPort)).", valueName: "port"))
    var gatewayPort: Int?

    @Option(help: ArgumentHelp("ns-node port. Env: NS_PORT (default \(NodeRole.ns.defaultPort)).", valueName: "port"))
    var nsPort: Int?

    @Option(help: ArgumentHelp("vp-node port. Env: VP_PORT (default \(NodeRole.vp.defaultPort)).", valueName: "port"))
    var vpPort: Int?

    @Option(help: ArgumentHelp("admin-node port. Env: ADMIN_PORT (default \(NodeRole.admin.defaultPort)).", valueName: "port"))
    var adminPort: Int?

    @Option(help: ArgumentHelp("witness-node port. Env: WITNESS_PORT (default \(NodeRole.witness.defaultPort)).", valueName: "port"))
    var witnessPort: Int?

    @Option(help: ArgumentHelp("trace, debug, info, notice, warn, error or critical. Env: LOG_LEVEL (default info).", valueName: "level"))
    var logLevel: String?

    @Option(help: ArgumentHelp("Also write log lines to this file, rotated at 10 MB, 3 files kept. Env: LOG_FILE.", valueName: "path"))
    var logFile: String?

    @Option(help: ArgumentHelp("How long in-flight work may take to finish after SIGTERM, in milliseconds. Env: SHUTDOWN_TIMEOUT_MS (default 10000).", valueName: "ms"))
    var shutdownTimeoutMs: Int?

    @Option(help: ArgumentHelp("dotenv file read after the environment; a missing default ./.env is fine, a missing named file is an error.", valueName: "path"))
    var envFile: String?

    /// The nodes named with `--role`, or the pipeline's four when none is (``selectedRoles(source:)``
    /// adds the witness to those when it is configured).
    var selectedRoles: Set<NodeRole> { roles.isEmpty ? NodeRole.pipeline : Set(roles) }

    /// The nodes to run: those named with `--role`, else ``NodeRole/unnamedSelection(source:)``.
    func selectedRoles(source: ConfigurationSource) -> Set<NodeRole> {
        roles.isEmpty ? NodeRole.unnamedSelection(source: source) : Set(roles)
    }

    func validate() throws {
        if port != nil && roles.count != 1 {
            throw ValidationError("--port applies to exactly one --role; use --gateway-port, --ns-port, --vp-port or --admin-port instead")
        }
    }

    /// Flag values under the variable names they override.
    var asVariables: [String: String] {
        var values: [String: String] = [:]
        values["DATA_DIR"] = dataDir
        values["HOST"] = host
        values["PORT"] = port.map(String.init)
        values["GATEWAY_PORT"] = gatewayPort.map(String.init)
        values["NS_PORT"] = nsPort.map(String.init)
        values["VP_PORT"] = vpPort.map(String.init)
        values["ADMIN_PORT"] = adminPort.map(String.init)
        values["WITNESS_PORT"] = witnessPort.map(String.init)
        values["LOG_LEVEL"] = logLevel
        values["LOG_FILE"] = logFile
        values["SHUTDOWN_TIMEOUT_MS"] = shutdownTimeoutMs.map(String.init)
        return values
    }
}

extension NodeRole: ExpressibleByArgument {}
