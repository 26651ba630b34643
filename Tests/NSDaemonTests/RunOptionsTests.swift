import ArgumentParser
import NSCore
@testable import NSDaemon
import Testing

/// `nsd run`'s command line as argument-parser reads it, without starting a node: which roles
/// run, which flags are refused, and the variables the flags override.
@Suite("nsd run options")
struct RunOptionsTests {
    static func run(_ arguments: [String]) throws -> NSD.Run {
        try #require(try NSD.parseAsRoot(["run"] + arguments) as? NSD.Run)
    }

    /// The message `nsd` prints for `arguments`, or `nil` when they parse; every refusal is a usage error.
    static func refusal(_ arguments: [String]) -> String? {
        do {
            _ = try NSD.parseAsRoot(arguments)
            return nil
        } catch {
            #expect(NSD.exitCode(for: error) == .validationFailure, "\(arguments) is a usage error")
            return NSD.message(for: error)
        }
    }

    @Test("nsd run without --role runs all four nodes and overrides no variable")
    func defaults() throws {
        let options = try Self.run([]).options
        #expect(options.roles.isEmpty)
        #expect(options.selectedRoles == [.gateway, .ns, .vp, .admin])
        #expect(options.asVariables.isEmpty)
        #expect(options.envFile == nil)
    }

    static let roleSelections: [(flags: [String], expected: Set<NodeRole>)] = [
        (["--role", "ns"], [.ns]),
        (["--role", "gateway", "--role", "vp"], [.gateway, .vp]),
        (["--role", "admin", "--role", "ns", "--role", "vp", "--role", "gateway"], [.gateway, .ns, .vp, .admin]),
        (["--role", "vp", "--role", "vp"], [.vp]),
    ]

    @Test("--role is repeatable and selects only the named nodes", arguments: roleSelections)
    func roles(_ selection: (flags: [String], expected: Set<NodeRole>)) throws {
        let (flags, expected) = selection
        let options = try Self.run(flags).options
        #expect(options.selectedRoles == expected)
    }

    @Test("an unknown role is refused, naming it")
    func unknownRole() throws {
        let message = try #require(Self.refusal(["run", "--role", "web"]))
        #expect(message.contains("web"))
        #expect(message.contains("--role"))
    }

    @Test("--port applies to exactly one --role", arguments: [[], ["--role", "ns", "--role", "vp"]])
    func portNeedsOneRole(_ roles: [String]) throws {
        let message = try #require(Self.refusal(["run", "--port", "8080"] + roles))
        #expect(message.contains("--port applies to exactly one --role; use --gateway-port, --ns-port, --vp-port or --admin-port instead"))
    }

    @Test("without --role the witness joins the four only when a WITNESS_* variable is set; --role witness runs it alone; --witness-port is WITNESS_PORT")
    func witnessSelection() throws {
        let plain = try Self.run([]).options
        #expect(plain.selectedRoles(source: ConfigurationSource(environment: [:])) == [.gateway, .ns, .vp, .admin])
        for variable in ["WITNESS_LOGS", "WITNESS_NAME", "WITNESS_SIGNING_KEY", "WITNESS_SIGNING_KEY_FILE"] {
            #expect(plain.selectedRoles(source: ConfigurationSource(environment: [variable: "x"])) == [.gateway, .ns, .vp, .admin, .witness], "\(variable)")
        }
        let witness = try Self.run(["--role", "witness", "--witness-port", "0"]).options
        #expect(witness.selectedRoles(source: ConfigurationSource(environment: [:])) == [.witness])
        #expect(witness.asVariables == ["WITNESS_PORT": "0"])
    }

    @Test("--port with one --role passes on as PORT (0: a free port)")
    func portWithOneRole() throws {
        let options = try Self.run(["--role", "gateway", "--port", "0"]).options
        #expect(options.selectedRoles == [.gateway])
        #expect(options.asVariables == ["PORT": "0"])
    }

    @Test("each flag passes on under the variable it overrides, so flags, environment and .env resolve by one path")
    func flagsAsVariables() throws {
        let options = try Self.run([
            "--data-dir", "/srv/ns", "--host", "0.0.0.0", "--gateway-port", "18080", "--ns-port", "13009", "--vp-port", "13002",
            "--admin-port", "13000", "--log-level", "debug", "--log-file", "/var/log/nsd.log", "--shutdown-timeout-ms", "2500",
            "--env-file", "/etc/ns.env",
        ]).options
        #expect(options.asVariables == [
            "DATA_DIR": "/srv/ns", "HOST": "0.0.0.0", "GATEWAY_PORT": "18080", "NS_PORT": "13009", "VP_PORT": "13002", "ADMIN_PORT": "13000",
            "LOG_LEVEL": "debug", "LOG_FILE": "/var/log/nsd.log", "SHUTDOWN_TIMEOUT_MS": "2500",
        ])
        #expect(options.envFile == "/etc/ns.env", "the dotenv file is where variables come from, not one of them")
    }

    @Test("numeric flags refuse text", arguments: ["--port", "--gateway-port", "--ns-port", "--vp-port", "--admin-port", "--shutdown-timeout-ms"])
    func numericFlags(_ flag: String) throws {
        let message = try #require(Self.refusal(["run", "--role", "ns", flag, "eighty"]))
        #expect(message.contains("eighty"))
    }

    @Test("nsd has one subcommand, run; anything else is refused and --version prints the version")
    func rootCommand() throws {
        #expect(NSD.configuration.subcommands.map { $0._commandName } == ["run"])
        let unknown = try #require(Self.refusal(["serve"]))
        #expect(unknown.contains("serve"))
        do {
            _ = try NSD.parseAsRoot(["--version"])
            Issue.record("--version parsed as a command")
        } catch {
            #expect(NSD.exitCode(for: error) == .success)
            #expect(NSD.message(for: error) == NeuroSwarmVersion.current)
        }
    }
}
