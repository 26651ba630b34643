import ArgumentParser
import Foundation
import NSCore

extension NSCtl {
    /// `nsctl verify FILE`: proves that a file was anchored in the ledger, unchanged.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove that a file was accepted and anchored in the ledger, unchanged.",
            discussion: """
                Next to a development nsd (./scripts/start in this folder), no configuration is needed:

                  nsctl verify file.txt

                Hashes FILE, fetches the transaction anchoring it, its inclusion proof and ns-node's signed \
                checkpoint, and verifies all three against the pinned ns-node public key: --ns-public-key, \
                else NS_PUBLIC_KEY (environment or .env; nsctl secrets gen writes it), else, unless \
                NODE_ENV=production, the checkpoint key of the development nsd in the data folder (--data-dir, \
                DATA_DIR, default ./data), which it says on stderr. Exits 0 only when everything verifies.

                With --witness name=vkey (repeatable; else NS_WITNESSES, the same entries comma-separated), the \
                checkpoint must also carry valid cosignatures (c2sp.org/tlog-cosignature) by at least \
                --min-witnesses of them (default: all): fewer is exit 1, naming the witnesses missing. A vkey is \
                the verifierKey a witness logs at start; a bad one is exit 64.
                """)

        /// The exit status when the check cannot be made at all (no pinned key, an unreadable file),
        /// apart from 1 for a file the ledger does not vouch for.
        static let cannotCheck: Int32 = 2

        @Argument(help: ArgumentHelp("The file to check.", valueName: "file"))
        var file: String

        @Option(name: .customLong("ns-public-key"), help: ArgumentHelp("ns-node's checkpoint public key, base64. Env: NS_PUBLIC_KEY.", valueName: "base64"))
        var publicKey: String?

        @OptionGroup var witnessing: WitnessOptions

        @OptionGroup var node: NodeOptions

        @OptionGroup var local: LocalNSDOptions

        func run() async throws {
            try await reportingFailures {
                let source = try node.source(flags: publicKey.map { ["NS_PUBLIC_KEY": $0] } ?? [:])
                let requirement = try witnessing.requirement(source)
                let key: LedgerPublicKey
                if let keyText = source.string("NS_PUBLIC_KEY") {
                    guard let pinned = LedgerPublicKey(base64: keyText) else {
                        throw CommandFailure("NS_PUBLIC_KEY is not a base64 Ed25519 public key", exitCode: Self.cannotCheck)
                    }
                    key = pinned
                } else if let development = local.find(source: source)?
                            .checkpointPublicKey(origin: source.string("LEDGER_ORIGIN") ?? LedgerSettings.defaultOrigin) {
                    key = development
                } else {
                    throw CommandFailure("no pinned ns-node key: pass --ns-public-key, set NS_PUBLIC_KEY (nsctl secrets gen writes it to .env; "
                                         + "ns-node logs it at start-up), or run next to a development nsd's data folder", exitCode: Self.cannotCheck)
                }
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw CommandFailure("\(file) cannot be read; check the path and permissions", exitCode: Self.cannotCheck)
                }
                let proof = try await ArtifactProof(client: try node.nsNode(), key: key, witnesses: requirement).prove(Array(data))
                if node.json {
                    print(String(decoding: CanonicalJSON.encode(proof.json(file: file)), as: UTF8.self))
                } else {
                    print(proof.summary(file: file))
                }
            }
        }
    }
}
