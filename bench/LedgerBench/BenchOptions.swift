/// The command line: `--engines sqlite,postgres` (default both), `--block-sizes 100,1000,5000`,
/// `--proof-leaves N` (0 skips the proof part), `--parts` (which measurements run, default all),
/// `--tile-leaves N` (the ledger the tile requests read when the proof part does not fill one)
/// and `--witness-requests N`. A bad value is an error naming the flag.
struct BenchOptions {
    var engines: [EngineKind] = [.sqlite, .postgres]
    var blockSizes = [100, 1_000, 5_000]
    var proofLeaves = 1_000_000
    var parts = BenchPart.allCases
    var tileLeaves = 1_000_000
    var witnessRequests = 2_000
    /// How long the tile follower waits between checkpoint polls (`--follower-poll-ms`).
    var followerPoll = Duration.milliseconds(10)

    init(arguments: [String]) throws(BenchError) {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw BenchError("\(flag) needs a value; see bench/README.md") }
            switch flag {
            case "--engines":
                engines = try Self.list(value, flag: flag, expected: "sqlite, postgres") { EngineKind(rawValue: $0) }
            case "--block-sizes":
                blockSizes = try Self.list(value, flag: flag, expected: "block sizes of 1 to 100000 transactions") {
                    Int($0).flatMap { (1...100_000).contains($0) ? $0 : nil }
                }
            case "--proof-leaves":
                guard let leaves = Int(value), leaves >= 0 else { throw BenchError("--proof-leaves must be a number of leaves, 0 or more (0 skips the proof part)") }
                proofLeaves = leaves
            case "--parts":
                let expected = BenchPart.allCases.map(\.rawValue).joined(separator: ", ")
                let chosen = try Self.list(value, flag: flag, expected: expected) { BenchPart(rawValue: $0) }
                parts = BenchPart.allCases.filter(chosen.contains)  // the run's order, whatever the list's
            case "--tile-leaves":
                // At least one full tile, so the tile requests have something immutable to ask for.
                guard let leaves = Int(value), leaves >= 256 else { throw BenchError("--tile-leaves must be a number of leaves, 256 or more") }
                tileLeaves = leaves
            case "--follower-poll-ms":
                guard let ms = Int(value), (1...10_000).contains(ms) else { throw BenchError("--follower-poll-ms must be 1 to 10000 milliseconds") }
                followerPoll = .milliseconds(ms)
            case "--witness-requests":
                guard let count = Int(value), count >= 10 else { throw BenchError("--witness-requests must be a number of requests, 10 or more") }
                witnessRequests = count
            default:
                throw BenchError("unknown option \(flag); use --engines sqlite,postgres, --block-sizes 100,1000,5000, --proof-leaves N, "
                    + "--parts appends,proof,tiles,tile-requests,witness, --tile-leaves N, --follower-poll-ms N or --witness-requests N")
            }
        }
    }

    /// Whether the proof part runs: chosen, and with leaves to fill.
    var runsProof: Bool { parts.contains(.proof) && proofLeaves > 0 }

    /// A comma-separated list, each part read by `parse`; a part it refuses is an error.
    private static func list<T: Equatable>(_ text: String, flag: String, expected: String, _ parse: (String) -> T?) throws(BenchError) -> [T] {
        var values: [T] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard let value = parse(part) else {
                throw BenchError("\(flag): \"\(part)\" is not one of \(expected); give a comma-separated list")
            }
            if !values.contains(value) { values.append(value) }
        }
        return values
    }
}

/// The measurements a run can make, in the order they run.
enum BenchPart: String, CaseIterable {
    /// Append throughput per block size (`--block-sizes`).
    case appends
    /// Inclusion proofs and appends on a large ledger (`--proof-leaves`).
    case proof
    /// Appends with a tile follower reading beside appends without one (issue 29).
    case tiles
    /// Tile and checkpoint requests per second with wrk (issue 29).
    case tileRequests = "tile-requests"
    /// The witness's cosignatures per second (issue 29; SQLite, whatever `--engines` says).
    case witness
}

/// The ledger engines the bench can measure.
enum EngineKind: String {
    case sqlite, postgres

    /// Starts what the engine needs for the whole run: nothing for SQLite, a PostgreSQL cluster.
    func start() async throws -> any LedgerEngine {
        switch self {
        case .sqlite: SQLiteEngine()
        case .postgres: try await PostgresEngine.start()
        }
    }
}
