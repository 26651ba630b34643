import Foundation
import NSCore

/// The generated reference files: shell completions and man pages for `nsctl` and `nsd`, made
/// from the built binaries' own command definitions, so `--help`, completions and man pages
/// can never disagree.
struct ReferenceDocs {
    /// One documented program.
    struct Tool {
        let name: String
        let executable: String
        let section: Int
        let extraSections: [(title: String, body: [String])]
    }

    /// The revision date on both man pages; bump it when their hand-written sections change.
    static let manualDate = "December 6, 2026"

    let tools: [Tool]

    /// Every generated file: path relative to the repository root, and its content.
    func render() throws -> [GeneratedFiles.File] {
        var files: [GeneratedFiles.File] = []
        for tool in tools {
            let dump = try output(of: tool, ["--experimental-dump-help"])
            let page = ManualPage(command: try CommandDescription.decode(dump: dump), section: tool.section,
                                  date: Self.manualDate, extraSections: tool.extraSections)
            files.append(.init(path: "man/\(tool.name).\(tool.section)", contents: page.render()))
            for (shell, path) in [("bash", "\(tool.name).bash"), ("zsh", "_\(tool.name)"), ("fish", "\(tool.name).fish")] {
                files.append(.init(path: "completions/" + path, data: try output(of: tool, ["--generate-completion-script", shell])))
            }
        }
        return files
    }

    private func output(of tool: Tool, _ arguments: [String]) throws -> Data {
        let outcome = try ExternalCommand.run(tool.executable, arguments)
        guard outcome.status == 0, !outcome.stdout.isEmpty else {
            throw CommandFailure("\(tool.executable) \(arguments.joined(separator: " ")) failed (\(outcome.firstErrorLine ?? "exit \(outcome.status)")); build it first")
        }
        return outcome.stdout
    }

    static func nsctl(executable: String) -> Tool {
        Tool(name: "nsctl", executable: executable, section: 1, extraSections: [
            ("ENVIRONMENT", [
                "Settings come from flags, then the environment, then",
                ".Pa ./.env",
                "(or",
                ".Fl -env-file ) ,",
                "then defaults.",
                ".Bl -tag -width Ds",
                ".It Ev GATEWAY_URL , NS_NODE_URL , VP_URL , ADMIN_URL",
                "Where the nodes listen; defaults are the seeds' ports on localhost.",
                ".Ev NS_NODE_URL",
                "may list several ns-nodes, comma-separated; calls fail over to the next when one does not answer.",
                ".It Ev JWT_SECRET , ADMIN_JWT_SECRET",
                "Keys for the tokens that nsctl mints; each also reads",
                ".Ev NAME_FILE .",
                ".It Ev DATA_DIR , BACKUP_DIR , REDIS_URL",
                "Where backup and restore find the volumes, the backup files and Redis.",
                ".It Ev REDIS_SENTINELS , REDIS_MASTER_NAME , REDIS_SENTINEL_PASSWORD",
                "Where health and backup find the Redis master through Sentinel; the password also reads",
                ".Ev REDIS_SENTINEL_PASSWORD_FILE .",
                ".El",
            ]),
            ("EXIT STATUS", [
                "0 on success, 1 when the command failed (one line on standard error says why and what to do),",
                "64 for bad arguments, \(ConfigurationError.exitCode) for bad configuration and \(NodeEndpoint.unavailable) when a node cannot be reached.",
                ".Nm nsctl verify",
                "exits \(NSCtl.Verify.cannotCheck) when it cannot check at all (no pinned key, an unreadable file), 1 when the ledger does not vouch for the file.",
                ".Nm nsctl health",
                "follows the monitoring-plugin convention: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
            ]),
            ("SEE ALSO", [".Xr nsd 8"]),
        ])
    }

    static func nsd(executable: String) -> Tool {
        Tool(name: "nsd", executable: executable, section: 8, extraSections: [
            ("ENVIRONMENT", [
                "Every setting is a flag, an environment variable, a line of",
                ".Pa ./.env ,",
                "or its default, in that order; secrets also read",
                ".Ev NAME_FILE .",
                "The README's configuration table lists them all; the most used are",
                ".Ev NODE_ENV , PORT , DATA_DIR , REDIS_URL , REDIS_SENTINELS , REDIS_MASTER_NAME , REDIS_MIN_REPLICAS ,",
                ".Ev REDIS_WAIT_TIMEOUT_MS , JWT_SECRET , ADMIN_JWT_SECRET , INTERNAL_TOKEN ,",
                ".Ev NS_SIGNING_KEY , VP_SIGNING_KEY , JOB_QUEUE_WORKERS",
                "and",
                ".Ev LOG_LEVEL .",
                "The witness reads",
                ".Ev WITNESS_SIGNING_KEY , WITNESS_NAME",
                "and",
                ".Ev WITNESS_LOGS ;",
                "when any of them is set, a plain",
                ".Nm nsd run",
                "hosts it too.",
                "ns-node sends each new checkpoint to the witnesses in",
                ".Ev WITNESSES",
                "and serves it with their cosignatures.",
            ]),
            ("FILES", [
                ".Bl -tag -width Ds",
                ".It Pa DATA_DIR/\(DataLayout.nsNodeFolder)/\(DataLayout.ledgerDatabaseFile)",
                "The ledger.",
                ".It Pa DATA_DIR/\(DataLayout.vpNodeFolder)/\(DataLayout.queueDatabaseFile)",
                "The embedded job queue.",
                ".It Pa DATA_DIR/\(DataLayout.adminNodeFolder)/",
                "The admin node's state.",
                ".It Pa DATA_DIR/\(DataLayout.witnessNodeFolder)/\(DataLayout.witnessDatabaseFile)",
                "The last checkpoint the witness cosigned per log; never restore an older copy.",
                ".El",
                ".Pp",
                "While it runs, nsd holds a lock on each volume folder it uses, so",
                ".Nm nsctl restore",
                "refuses to replace it.",
            ]),
            ("SIGNALS", [
                "SIGTERM and SIGINT shut down gracefully.",
                "When nodes serve HTTPS (TLS_CERT_FILE and TLS_KEY_FILE, or a node's own pair), SIGHUP reads the certificates and keys",
                "again: new connections get the new certificate, open ones finish, and a file that cannot be",
                "served leaves the previous certificate in use (logged as TLS certificate reload failed).",
            ]),
            ("EXIT STATUS", [
                "0 after a clean shutdown on SIGTERM or SIGINT (listeners closed, in-flight requests finished,",
                "databases checkpointed), \(ConfigurationError.exitCode) when the configuration is unusable (one line on standard error names",
                "the variable and the fix), 1 on any other failure.",
            ]),
            ("SEE ALSO", [".Xr nsctl 1"]),
        ])
    }
}
