import NSCore

/// What one `nsctl monitor` run found: the monitoring-plugin state and exit status, one status
/// line with performance data, and the `--json` form.
struct MonitorVerdict: Sendable {
    /// What happened, for machines (`finding` in the JSON).
    enum Finding: String, Sendable {
        /// No state yet: the served checkpoint was verified and recorded.
        case firstRun = "first-run"
        case unchanged
        /// The log grew and the tiles prove it extends the recorded tree.
        case grew
        case rollback
        /// The same size with another root.
        case fork
        /// A larger tree that does not extend the recorded one (or cannot be proved to).
        case inconsistent
        /// A checkpoint that is malformed, signed by another key or for another origin.
        case badCheckpoint = "bad-checkpoint"
        /// A checkpoint the log signed with fewer valid cosignatures from the pinned witnesses than
        /// `--min-witnesses`, still after `--witness-wait`: a tree those witnesses have not seen
        /// (a witness down, or a split view).
        case tooFewCosignatures = "too-few-cosignatures"
        /// `--verify-tiles`: a tile or entry bundle that does not authenticate against the checkpoint.
        case badTiles = "bad-tiles"
        /// ns-node, a tile or the state file could not be read, or the key is not pinned: nothing was learnt.
        case cannotCheck = "cannot-check"

        var state: HealthVerdict.State {
            switch self {
            case .firstRun, .unchanged, .grew: .ok
            // Too few cosignatures is no proof of misbehaviour (a required witness may be down), but
            // a checkpoint the witnesses never see may be a split view: someone must look.
            case .tooFewCosignatures: .warning
            case .rollback, .fork, .inconsistent, .badCheckpoint, .badTiles: .critical
            case .cannotCheck: .unknown
            }
        }
    }

    let finding: Finding
    var message: String
    var recorded: Checkpoint?
    var served: Checkpoint?
    var evidence: MonitorEvidence?
    /// `--verify-tiles`: hash tiles and entry bundles re-verified.
    var tilesVerified: (hashTiles: Int, entryBundles: Int)?

    var state: HealthVerdict.State { finding.state }

    /// `NEUROSWARM LEDGER CRITICAL - fork: ... | size=20;;;0 new=0;;;0`
    var statusLine: String {
        "NEUROSWARM LEDGER \(state.painted) - \(message)" + (performanceData.map { " | " + $0 } ?? "")
    }

    /// The served size and the leaves added since the recorded one.
    var performanceData: String? {
        guard let served else { return nil }
        let added = recorded.map { served.size >= $0.size ? served.size - $0.size : 0 } ?? 0
        return "size=\(served.size);;;0 new=\(added);;;0"
    }

    var json: JSONValue {
        func describe(_ checkpoint: Checkpoint?) -> JSONValue {
            checkpoint.map { ["origin": .string($0.origin), "size": .int(Int64($0.size)), "root": .string($0.root.hex)] } ?? .null
        }
        var fields: [String: JSONValue] = ["state": .string(state.name), "exitCode": .int(Int64(state.rawValue)), "finding": .string(finding.rawValue),
                                           "summary": .string(message), "recorded": describe(recorded), "served": describe(served)]
        fields["evidence"] = evidence.map { ["folder": .string($0.folder), "files": .array($0.files.map { .string($0) })] } ?? .null
        if let tilesVerified {
            fields["tilesVerified"] = ["hashTiles": .int(Int64(tilesVerified.hashTiles)), "entryBundles": .int(Int64(tilesVerified.entryBundles))]
        }
        return .object(fields)
    }
}

extension Checkpoint {
    /// `size 20 (root <hex>)`, as the monitor's lines name a checkpoint.
    var named: String { "size \(size) (root \(root.hex))" }
}
