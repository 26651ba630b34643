import Foundation
import NSCore
import NSLedger

/// Verifies the chain a running ns-node serves, block by block over `/v1`, with the same
/// ``ChainVerifier`` the offline audit uses.
struct OnlineChainAudit {
    let client: NodeEndpoint

    func run() async throws -> Result<ChainAudit.Summary, ChainVerifier.Fault> {
        let schedule: ValidatorSchedule
        switch try await Self.schedule(client) {
        case .success(let found): schedule = found
        case .failure(let fault): return .failure(fault)
        }
        guard let tip = try await client.json("/v1/blocks/latest")["height"]?.intValue, tip >= 0 else {
            throw CommandFailure("ns-node's /v1/blocks/latest has no height")
        }
        var verifier = ChainVerifier(schedule: schedule)
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

    /// The validator schedule from `GET /v1/validators`: genesis members (`addedHeight` 0) and
    /// every later term, checked with the rules ns-node applied when it recorded them. An
    /// inconsistent list is a fault of the chain's records, not of the command.
    static func schedule(_ client: NodeEndpoint) async throws -> Result<ValidatorSchedule, ChainVerifier.Fault> {
        let entries = try await client.json("/v1/validators")["validators"]?.arrayValue ?? []
        var terms: [ValidatorSchedule.Term] = []
        for entry in entries {
            guard let name = entry["name"]?.stringValue, let key = entry["publicKey"]?.stringValue.flatMap(LedgerPublicKey.init(base64:)),
                  let added = entry["addedHeight"]?.intValue, added >= 0 else {
                return .failure(ChainVerifier.Fault(height: 0, check: "validators", detail: "ns-node lists a malformed validator"))
            }
            let removed = entry["removedHeight"]?.intValue
            terms.append(ValidatorSchedule.Term(validator: Validator(name: name, publicKey: key), addedHeight: UInt64(added),
                                                removedHeight: removed.map { UInt64(max(0, $0)) }))
        }
        do throws(ValidatorChangeError) {
            return .success(try ValidatorSchedule(genesis: terms.filter { $0.addedHeight == 0 }.map(\.validator),
                                                  laterTerms: terms.filter { $0.addedHeight > 0 || $0.removedHeight != nil }))
        } catch {
            return .failure(ChainVerifier.Fault(height: 0, check: "validators", detail: "ns-node's validator terms are inconsistent: \(error)"))
        }
    }
}
