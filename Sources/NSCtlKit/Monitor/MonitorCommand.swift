import ArgumentParser
import Foundation
import NSCore

extension NSCtl {
    /// `nsctl monitor`: a transparency-log monitor for cron, the monitoring-plugin way.
    struct Monitor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that ns-node's log only grows: each signed checkpoint must extend the last one recorded (for cron).",
            discussion: """
                Fetches ns-node's signed checkpoint (/tlog/checkpoint), checks its signature with the pinned key and \
                its origin (LEDGER_ORIGIN, default \(LedgerSettings.defaultOrigin)), and compares it with the checkpoint \
                the previous run recorded in --state-file: a larger tree must be consistent with it, proved from the \
                log's tiles and verified here; the same size must have the same root. With --verify-tiles every tile \
                and entry bundle holding a new leaf is re-verified too (each entry hashes to its leaf, each tile to \
                its hash one level up, and the tiles to the signed root), one tile at a time. The first run \
                records the checkpoint it finds (trusting it) and says so.

                The key is pinned: --ns-public-key, else NS_PUBLIC_KEY (environment or .env; ns-node logs it at \
                start-up as checkpointPublicKey). Unlike nsctl verify, the monitor never takes it from a development \
                nsd's data folder: a key read from the log's own files would let whoever controls them sign any tree.

                With --witness name=vkey (repeatable; else NS_WITNESSES, the same entries comma-separated, as for \
                nsctl verify), the served checkpoint must also carry valid cosignatures (c2sp.org/tlog-cosignature) \
                by at least --min-witnesses of them (default: all). ns-node serves a new checkpoint at once and its \
                witnesses cosign it a round trip later, so a checkpoint short of cosignatures (and of nothing else) \
                is fetched again every second for up to --witness-wait seconds (default 10). Still fewer is WARNING, \
                naming how many were valid and the witnesses missing: a required witness may be down, or the \
                checkpoint may be a split view shown only to this monitor, which the witnesses never see. A vkey is \
                the verifierKey a witness logs at start.

                Exit status: 0 OK (first run, unchanged, or grew consistently; the new checkpoint is recorded \
                atomically), 1 WARNING (fewer witness cosignatures than --min-witnesses), 2 CRITICAL (a checkpoint \
                that is malformed, signed by another key or for another origin; a rollback to a smaller size; a \
                fork, the same size with another root; a larger tree that does not extend the recorded one; with --verify-tiles, a tile or entry that does not verify), \
                3 UNKNOWN (ns-node or a tile cannot be read, the state file cannot be read or written, no key is \
                pinned, bad arguments). A WARNING run records nothing; a CRITICAL one records nothing and keeps both checkpoint notes as evidence \
                in <state file>.evidence-<UTC>-<finding>/ (one folder per recorded checkpoint and finding), naming it; to resume after \
                investigating, move the state file away (the next run records afresh). One status line with \
                performance data (size, new leaves); --json for machines.

                crontab (cron mails what is printed: only a line that is not OK):
                */10 * * * * cd /etc/neuroswarm && nsctl monitor --state-file /var/lib/neuroswarm/ledger-monitor.json | grep -v ' OK - '
                """)

        @Option(name: .customLong("state-file"), help: ArgumentHelp("Where the last verified checkpoint is recorded between runs (created by the first run).",
                                                                     valueName: "path"))
        var stateFile: String

        @Option(name: .customLong("ns-public-key"), help: ArgumentHelp("ns-node's checkpoint public key, base64. Env: NS_PUBLIC_KEY.", valueName: "base64"))
        var publicKey: String?

        @OptionGroup var witnessing: WitnessOptions

        @Option(name: .customLong("witness-wait"), help: ArgumentHelp("Seconds to keep fetching a checkpoint that lacks only witness cosignatures before reporting it (0 to 300).",
                                                                      valueName: "seconds"))
        var witnessWait = 10

        @Flag(name: .customLong("verify-tiles"), help: "Also re-verify every tile and entry bundle holding a leaf added since the recorded checkpoint (the whole log on the first run).")
        var verifyTiles = false

        @OptionGroup var node: NodeOptions

        func validate() throws {
            guard !stateFile.isEmpty else { throw ValidationError("--state-file needs a path") }
            guard (0...300).contains(witnessWait) else { throw ValidationError("--witness-wait \(witnessWait) must be 0 to 300 seconds") }
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: stateFile, isDirectory: &isFolder), isFolder.boolValue {
                throw ValidationError("--state-file \(stateFile) is a folder; name a file in it")
            }
        }

        func run() async throws {
            let verdict: MonitorVerdict
            do {
                verdict = try await monitor().run()
            } catch let failure as CommandFailure {
                verdict = MonitorVerdict(finding: .cannotCheck, message: failure.message)
            }
            print(node.json ? String(decoding: CanonicalJSON.encode(verdict.json), as: UTF8.self) : verdict.statusLine)
            throw ExitCode(verdict.state.rawValue)
        }

        /// The monitor as configured: the pinned key, origin and witnesses, and ns-node's address.
        private func monitor() throws -> LogMonitor {
            let source = try node.source(flags: publicKey.map { ["NS_PUBLIC_KEY": $0] } ?? [:])
            guard let keyText = source.string("NS_PUBLIC_KEY") else {
                throw CommandFailure("no pinned ns-node key: pass --ns-public-key or set NS_PUBLIC_KEY (environment or .env; ns-node logs it "
                                     + "at start-up as checkpointPublicKey, nsctl secrets gen writes it)")
            }
            guard let key = LedgerPublicKey(base64: keyText) else {
                throw CommandFailure("NS_PUBLIC_KEY is not a base64 Ed25519 public key (32 bytes); copy checkpointPublicKey from ns-node's start-up log")
            }
            let origin = source.string("LEDGER_ORIGIN") ?? LedgerSettings.defaultOrigin
            let policy = CheckpointPolicy(origin: origin, logKey: key, checks: try witnessing.requirement(source).map { [$0] } ?? [])
            return LogMonitor(node: try node.nsNode(), policy: policy, stateFile: stateFile,
                              verifyTiles: verifyTiles, witnessWait: .seconds(witnessWait))
        }
    }
}
