import Foundation
import NSCore
import NSTestSupport

/// Drives a real ns-node over HTTP the way vp-node will: submits transactions with the internal
/// token and produces signed blocks on the tip it reads back.
struct LedgerDriver: Sendable {
    let nsd: NSDInstance
    let token: String
    let producer: LedgerKey

    init(_ nsd: NSDInstance) throws {
        self.nsd = nsd
        token = try nsd.dataFile("internal-token")
        producer = try LedgerKey(name: "vp-node", seedBase64: try nsd.dataFile("vp-node-data/producer.key"))
    }

    /// A driver of a node whose token and producer key come from elsewhere (a production node's secret files).
    init(nsd: NSDInstance, token: String, producer: LedgerKey) {
        self.nsd = nsd
        self.token = token
        self.producer = producer
    }

    /// The same driver signing blocks with `key` (another validator's).
    func signing(with key: LedgerKey) -> LedgerDriver {
        LedgerDriver(nsd: nsd, token: token, producer: key)
    }

    var checkpointKey: LedgerPublicKey {
        get throws { try LedgerKey(name: "x", seedBase64: try nsd.dataFile("ns-node-data/checkpoint.key")).publicKey }
    }

    func url(_ path: String) -> String { nsd.url("ns-node", path) }

    static func txs(_ count: Int, from start: Int = 0) -> [LedgerTransaction] {
        (start..<start + count).map { index in
            let text = content(index)
            let bytes = Array(text.utf8)
            // Built from valid parts; a failure is a bug in the test itself.
            return try! LedgerTransaction.make(artifactSHA256: MerkleHash.sha256(bytes).hex, artifactSize: Int64(bytes.count),
                                               submitter: "e2e", jobID: "job_\(index)", preview: text, timeMs: 1_765_079_700_000 + Int64(index))
        }
    }

    static func content(_ index: Int) -> String { "artifact body number \(index)\n" }

    func submit(_ txs: [LedgerTransaction]) async throws -> Fetched {
        try await Fetched.post(url("/tx"), body: CanonicalJSON.encode(.array(txs.map(\.value))), token: token)
    }

    /// Builds the next block on the tip ns-node reports, optionally altered after signing.
    func block(_ txs: [LedgerTransaction], alter: (inout BlockHeader) -> Void = { _ in }) async throws -> [UInt8] {
        let latest = try CanonicalJSON.decode(Array(try await Fetched.get(url("/v1/blocks/latest")).body.utf8))
        let tip = try BlockHeader(json: latest["header"] ?? .null)
        let frontierJSON = try CanonicalJSON.decode(Array(try await Fetched.get(url("/v1/log/frontier")).body.utf8))
        let nodes = (frontierJSON["nodes"]?.arrayValue ?? []).map {
            CompactRange.Node(level: Int($0["level"]?.intValue ?? 0), index: UInt64($0["index"]?.intValue ?? 0),
                              hash: MerkleHash(hex: $0["hash"]?.stringValue ?? "") ?? MerkleTree.emptyRoot)
        }
        let frontier = try require(CompactRange(size: UInt64(frontierJSON["size"]?.intValue ?? 0), nodes: nodes), "a valid frontier")
        var header = BlockBuilder.header(after: tip, frontier: frontier, txs: txs, timeMs: Int64(Date().timeIntervalSince1970 * 1000), key: producer)
        alter(&header)
        return CanonicalJSON.encode(["header": header.json, "txs": .array(txs.map(\.value))])
    }

    func produce(_ txs: [LedgerTransaction], alter: (inout BlockHeader) -> Void = { _ in }) async throws -> Fetched {
        try await Fetched.post(url("/blocks/produce"), body: try await block(txs, alter: alter), token: token)
    }
}

/// `#require` outside a test function body: throws when nil.
func require<T>(_ value: T?, _ what: String = "value") throws -> T {
    guard let value else { throw ChildProcessError.notFound(what) }
    return value
}
