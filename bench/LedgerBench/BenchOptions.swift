/// The command line: `--engines sqlite,postgres` (default both), `--block-sizes 100,1000,5000`
/// and `--proof-leaves N` (0 skips the proof part). A bad value is an error naming the flag.
struct BenchOptions {
    var engines: [EngineKind] = [.sqlite, .postgres]
    var blockSizes = [100, 1_000, 5_000]
    var proofLeaves = 1_000_000

    init(arguments: [String]) throws(BenchError) {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw BenchError("\(flag) needs a value; see bench/README.md") }
            switch flag {
            case "--engines":
                engines = try Self.list(value, flag: flag) { EngineKind(rawValue: $0) }
            case "--block-sizes":
                blockSizes = try Self.list(value, flag: flag) { Int($0).flatMap { (1...100_000).contains($0) ? $0 : nil } }
            case "--proof-leaves":
                guard let leaves = Int(value), leaves >= 0 else { throw BenchError("--proof-leaves must be a number of leaves, 0 or more (0 skips the proof part)") }
                proofLeaves = leaves
            default:
                throw BenchError("unknown option \(flag); use --engines sqlite,postgres, --block-sizes 100,1000,5000 or --proof-leaves N")
            }
        }
    }

    /// A comma-separated list, each part read by `parse`; a part it refuses is an error.
    private static func list<T: Equatable>(_ text: String, flag: String, _ parse: (String) -> T?) throws(BenchError) -> [T] {
        var values: [T] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard let value = parse(part) else {
                let expected = flag == "--engines" ? "sqlite, postgres" : "block sizes of 1 to 100000 transactions"
                throw BenchError("\(flag): \"\(part)\" is not one of \(expected); give a comma-separated list")
            }
            if !values.contains(value) { values.append(value) }
        }
        return values
    }
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
