import Foundation
import NSCore
import NSLedger

/// Verifies the chain a running ns-node serves, block by block over `/v1`, with the same
/// ``ChainVerifier`` the offline audit uses.
struct OnlineChainAudit {
    let client: NodeClient

    func run() async throws -> Result<ChainAudit.Summary, ChainVerifier.Fault> {
        let validators = try await client.json("/v1/validators")["validators"]?.arrayValue ?? []
        let genesis = validators.compactMap { entry -> Validator? in
            guard entry["addedHeight"]?.intValue == 0, let name = entry["name"]?.stringValue,
                  let key = entry["publicKey"]?.stringValue.flatMap(LedgerPublicKey.init(base64:)) else { return nil }
            return Validator(name: name, publicKey: key)
        }
        guard let tip = try await client.json("/v1/blocks/latest")["height"]?.intValue, tip >= 0 else {
            throw CommandFailure("ns-node's /v1/blocks/latest has no height")
        }
        var verifier = ChainVerifier(genesisValidators: genesis)
        for height in 0...tip {
            let block = try await client.json("/v1/blocks/\(height)?txs=full")
            let header: BlockHeader
            do {
                header = try BlockHeader(json: block["header"] ?? .null)
            } catch {
                return .failure(ChainVerifier.Fault(height: UInt64(height), check: "header", detail: "malformed header: \(error)"))
            }
            var txs: [ChainVerifier.StoredTx] = []
            for entry in block["txs"]?.arrayValue ?? [] {
                guard let hash = entry["txHash"]?.stringValue.flatMap(MerkleHash.init(hex:)),
                      let leaf = entry["leaf"]?.stringValue.flatMap(Base64.decode) else {
                    return .failure(ChainVerifier.Fault(height: UInt64(height), check: "tx", detail: "a transaction entry is malformed"))
                }
                txs.append(ChainVerifier.StoredTx(hash: hash, canonical: leaf))
            }
            let stored = block["hash"]?.stringValue.flatMap(MerkleHash.init(hex:))
            do {
                try verifier.verify(header, storedHash: stored, txs: txs)
            } catch {
                return .failure(error)
            }
        }
        return .success(ChainAudit.Summary(height: UInt64(tip), logSize: verifier.logSize, logRoot: verifier.logRoot))
    }
}
