import Foundation
import NSCore

/// The chain of evidence for one artifact: its hash, the transaction that records it, that
/// transaction's place in the log, and a signed checkpoint of the log containing it.
struct ArtifactProof {
    let client: NodeEndpoint
    let key: LedgerPublicKey
    /// `--witness` and `--min-witnesses`: the cosignatures the checkpoint must carry; nil asks for none.
    var witnesses: WitnessRequirement? = nil

    struct Proven {
        let artifactSHA256: String
        let txHash: MerkleHash
        let blockHeight: Int64
        let leafIndex: UInt64
        let treeSize: UInt64
        let timeMs: Int64
        let origin: String
        /// The pinned witnesses whose cosignatures of the checkpoint verified.
        let cosignedBy: [String]

        func summary(file: String) -> String {
            let time = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(timeMs) / 1000))
            return "verified \(file): sha256 \(artifactSHA256) is transaction \(txHash.hex) in block \(blockHeight), "
                + "leaf \(leafIndex) of the \(treeSize)-leaf log signed by \(origin)"
                + (cosignedBy.isEmpty ? "" : " and cosigned by \(cosignedBy.joined(separator: ", "))") + ", accepted \(time)"
        }

        func json(file: String) -> JSONValue {
            ["ok": true, "file": .string(file), "artifactSha256": .string(artifactSHA256), "txHash": .string(txHash.hex),
             "blockHeight": .int(blockHeight), "leafIndex": .int(Int64(leafIndex)), "treeSize": .int(Int64(treeSize)),
             "time": .int(timeMs), "origin": .string(origin), "cosignedBy": .array(cosignedBy.map { .string($0) })]
        }
    }

    func prove(_ content: [UInt8]) async throws -> Proven {
        let digest = MerkleHash.sha256(content).hex
        let anchors = try await client.json("/v1/artifacts/\(digest)", missing: "no transaction anchors this file (sha256 \(digest)); it was not accepted, not committed yet, or changed")
        guard let first = anchors["txs"]?.arrayValue?.first, let txHashText = first["txHash"]?.stringValue,
              let txHash = MerkleHash(hex: txHashText) else { throw CommandFailure("ns-node's answer for the artifact is malformed") }

        let note = try await client.get("/v1/checkpoint").text
        let origin = String(note.prefix(while: { $0 != "\n" }))
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.verify(note: note, name: origin, publicKey: key)
        } catch {
            throw CommandFailure("the checkpoint does not verify with the pinned key: \(error)")
        }
        let cosignedBy = try witnesses?.check(note) ?? []

        let tx = try await client.json("/v1/tx/\(txHash.hex)")
        guard let leaf = tx["leaf"]?.stringValue.flatMap(Base64.decode), MerkleHash.sha256(leaf) == txHash,
              let leafIndex = tx["leafIndex"]?.intValue, let height = tx["blockHeight"]?.intValue
        else { throw CommandFailure("the transaction's bytes do not match its hash") }
        let record: LedgerTransaction
        do {
            record = try LedgerTransaction(bytes: leaf)
        } catch {
            throw CommandFailure("the anchoring transaction is invalid: \(error)")
        }
        guard record.artifactSHA256 == digest, record.value["artifact"]?["size"]?.intValue == Int64(content.count) else {
            throw CommandFailure("the transaction records a different artifact")
        }
        guard UInt64(leafIndex) < checkpoint.size else {
            throw CommandFailure("the signed checkpoint (size \(checkpoint.size)) does not cover leaf \(leafIndex) yet; retry shortly")
        }
        let proof = try await client.json("/v1/proof/inclusion?leaf=\(leafIndex)&size=\(checkpoint.size)")
        let path = (proof["proof"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(MerkleHash.init(hex:)) }
        guard MerkleVerifier.verifyInclusion(leaf: MerkleTree.leafHash(leaf), index: UInt64(leafIndex), size: checkpoint.size,
                                             proof: path, root: checkpoint.root)
        else { throw CommandFailure("the inclusion proof does not lead to the signed checkpoint's root") }
        return Proven(artifactSHA256: digest, txHash: txHash, blockHeight: height, leafIndex: UInt64(leafIndex), treeSize: checkpoint.size,
                      timeMs: record.value["time"]?.intValue ?? 0, origin: checkpoint.origin, cosignedBy: cosignedBy)
    }
}
