import ArgumentParser
import Foundation

extension NSCtl {
    /// `nsctl compose`: the Docker Compose deployment's files.
    struct Compose: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render the Docker Compose deployment (compose file, Prometheus, Grafana, Dockerfile).",
            subcommands: [Render.self])
    }
}

extension NSCtl.Compose {
    /// `nsctl compose render [--out DIR] [--check]`.
    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the deployment's files from the one description of its services, or check them.",
            discussion: """
                Writes docker-compose.production.yml (seven services on 172.20.0.0/16 with health checks, \
                start order on health, named volumes, log rotation, resource limits and file-based \
                secrets), prometheus.yml, the Grafana dashboard with its provisioning files, .env.example, \
                and the Dockerfile of the nsd image; and the TLS variant, docker-compose.tls.yml with \
                prometheus.tls.yml (every node on HTTPS with its certificate, key and CA as secrets; only \
                443 and 8443 published); the PostgreSQL variant, docker-compose.postgres.yml with \
                prometheus.postgres.yml (a postgres service holding the ledger and admin-node's state, two \
                ns-nodes over it, DATABASE_URL_FILE from the database_url secret); and the HA Redis variant, \
                docker-compose.ha.yml (a Redis master, one replica and three sentinels; gateway-node and \
                vp-node find the master through the sentinels and wait for the replica on every write). \
                Output is byte-stable: rendering twice gives the same files.

                With --check nothing is written: each file that is missing or differs from a fresh render \
                is printed, one per line, and the exit status is 1 (0 when all are current), for CI.
                """)

        @Option(help: ArgumentHelp("Folder to write into (created if missing).", valueName: "dir"))
        var out = "compose"

        @Flag(help: "Compare the files in --out with a fresh render instead of writing; exit 1 if any differs.")
        var check = false

        func run() async throws {
            try await reportingFailures {
                let files = ComposeBundle.render()
                if check {
                    try GeneratedFiles.check(files, in: out, fix: "run `nsctl compose render --out \(out)`")
                    print("\(files.count) files in \(out) are current")
                    return
                }
                for path in try GeneratedFiles.write(files, to: out) {
                    print("wrote \(path)")
                }
            }
        }
    }
}
