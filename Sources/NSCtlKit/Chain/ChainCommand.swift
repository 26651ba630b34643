import ArgumentParser
import Foundation
import NSCore
import NSLedger

extension NSCtl {
    /// `nsctl chain ...`: checks on the ledger as a whole.
    struct Chain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Inspect and verify the ledger.",
            subcommands: [Verify.self])
    }
}

extension NSCtl.Chain {
    /// `nsctl chain verify`: re-checks every block, signature, root and link.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-check every block of the ledger: links, signatures, transactions, roots.",
            discussion: """
                Against a running ns-node (--ns-url / NS_NODE_URL), offline with --db on a database \
                file, or on the ledger in PostgreSQL with --database-url (or DATABASE_URL / \
                DATABASE_URL_FILE in the environment or .env, used when --ns-url is not given). The \
                database modes only read, so they are safe while nsd runs. Prefer DATABASE_URL_FILE \
                to --database-url: a command line is visible to other users of the host. Prints the \
                height verified and exits 0; on a fault prints the first bad height and the check \
                that failed and exits 1.
                """)

        @Option(help: ArgumentHelp("Verify this ledger database file instead of a running ns-node.", valueName: "path"))
        var db: String?

        @Option(help: ArgumentHelp("Verify the ledger in this PostgreSQL database (postgres://USER:PASSWORD@HOST:5432/DB) instead of a running ns-node. Env: DATABASE_URL, DATABASE_URL_FILE.",
                                   valueName: "url"))
        var databaseURL: String?

        @OptionGroup var node: NodeOptions

        func run() async throws {
            try await reportingFailures {
                let outcome: Result<ChainAudit.Summary, ChainVerifier.Fault>
                if let db {
                    do {
                        outcome = try await ChainAudit.audit(path: db)
                    } catch let error as LedgerError {
                        throw CommandFailure("\(error); pass the path of \(DataLayout.ledgerDatabaseFile)")
                    } catch {
                        throw CommandFailure("\(db) cannot be read as a ledger database (\(type(of: error)))")
                    }
                } else if let audit = try databaseAudit() {
                    outcome = try await audit.auditChain()
                } else {
                    outcome = try await OnlineChainAudit(client: try node.nsNode()).run()
                }
                switch outcome {
                case .success(let summary):
                    if node.json {
                        print(String(decoding: CanonicalJSON.encode(["ok": true, "height": .int(Int64(summary.height)),
                                                                     "logSize": .int(Int64(summary.logSize)), "logRoot": .string(summary.logRoot.hex)]),
                                     as: UTF8.self))
                    } else {
                        print("chain verified to height \(summary.height) (\(summary.logSize) transactions, log root \(summary.logRoot.hex))")
                    }
                case .failure(let fault):
                    if node.json {
                        print(String(decoding: CanonicalJSON.encode(["ok": false, "height": .int(Int64(fault.height)), "check": .string(fault.check),
                                                                     "detail": .string(fault.detail)]), as: UTF8.self))
                    }
                    throw CommandFailure("chain verification failed at height \(fault.height): \(fault.check): \(fault.detail)")
                }
            }
        }

        /// The PostgreSQL audit: with --database-url, or with DATABASE_URL(_FILE) set and no --ns-url.
        private func databaseAudit() throws -> ConfiguredDatabase? {
            guard databaseURL != nil || node.nsURL == nil else { return nil }
            return try ConfiguredDatabase.configured(source: try node.source(flags: databaseURL.map { ["DATABASE_URL": $0] } ?? [:]))
        }
    }
}
