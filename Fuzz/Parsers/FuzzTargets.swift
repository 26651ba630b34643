import Foundation
import NIOCore
import NSCore
import NSLedger
@testable import NSRedis

/// The parsers and validators that face the network, each with the property it must keep on any
/// input: no crash, and an accepted input is one a correct implementation would accept.
enum FuzzTargets {
    static let names = ["tx", "block", "resp", "sanitiser", "checkpoint"]

    /// A fixed producer key (seed of 32 zero bytes), so seeds made once stay valid.
    static let key: LedgerKey = {
        // A constant, well-formed seed: this cannot fail.
        try! LedgerKey(name: "vp-node", seedBase64: Base64.encode([UInt8](repeating: 0, count: 32)))
    }()
    static let validators = [Validator(name: "vp-node", publicKey: key.publicKey)]
    static let genesis = Genesis.header(validators: validators)
    static let sanitiser = PromptSanitiser()

    /// Runs one input; returns whether the parser accepted it (for the replay's report).
    @discardableResult
    static func run(_ target: String, _ bytes: [UInt8]) -> Bool {
        switch target {
        case "tx": transaction(bytes)
        case "block": block(bytes)
        case "resp": resp(bytes)
        case "sanitiser": sanitise(bytes)
        case "checkpoint": checkpoint(bytes)
        default: fatalError("unknown fuzz target \(target); one of \(names)")
        }
    }

    /// Canonical transaction decoding: what is accepted re-encodes to the same transaction, and
    /// input the decoder calls canonical is byte-identical to its re-encoding.
    static func transaction(_ bytes: [UInt8]) -> Bool {
        guard let (value, canonical) = try? CanonicalJSON.decodeNotingCanonical(bytes) else { return false }
        if canonical { precondition(CanonicalJSON.encode(value) == bytes, "canonical input does not re-encode to itself") }
        guard let tx = try? LedgerTransaction(value) else { return false }
        guard let again = try? LedgerTransaction(CanonicalJSON.decode(CanonicalJSON.encode(tx.value))) else {
            preconditionFailure("an accepted transaction does not decode from its own encoding")
        }
        precondition(again.hash == tx.hash, "re-encoding changed the transaction hash")
        return true
    }

    /// Block validation: a block the verifier accepts after genesis really is height 1 on
    /// genesis, signed by the validator, with the transaction root of its transactions.
    static func block(_ bytes: [UInt8]) -> Bool {
        guard let value = try? CanonicalJSON.decode(bytes), let headerJSON = value["header"], let header = try? BlockHeader(json: headerJSON) else { return false }
        let txs = (value["txs"]?.arrayValue ?? []).compactMap { try? LedgerTransaction($0) }
        var verifier = ChainVerifier(genesisValidators: validators)
        do {
            try verifier.verify(genesis, storedHash: nil, txs: [])
        } catch {
            preconditionFailure("the fixture's genesis does not verify: \(error)")
        }
        let stored = txs.map { ChainVerifier.StoredTx(hash: $0.hash, canonical: CanonicalJSON.encode($0.value)) }
        guard (try? verifier.verify(header, storedHash: nil, txs: stored)) != nil else { return false }
        precondition(header.height == 1 && header.prevHash == genesis.hash, "accepted a block that does not extend genesis")
        precondition(key.publicKey.isValidSignature(header.signature, for: header.signingBytes), "accepted a block with a bad signature")
        precondition(header.txRoot == MerkleTree.root(leaves: txs.map(\.leafHash)), "accepted a block whose txRoot is not its transactions'")
        return true
    }

    /// The RESP reply parser: any bytes either parse, ask for more, or fail with an error.
    static func resp(_ bytes: [UInt8]) -> Bool {
        var buffer = ByteBuffer(bytes: bytes)
        var parsed = false
        for _ in 0..<64 {
            guard let reply = try? RESPValue.parse(&buffer) else { return parsed }
            _ = reply.string
            parsed = true
        }
        return parsed
    }

    /// The sanitiser: idempotent and within its length limit on any text.
    static func sanitise(_ bytes: [UInt8]) -> Bool {
        let once = sanitiser.sanitise(String(decoding: bytes, as: UTF8.self)).text
        precondition(once.count <= 5_000, "the preview exceeds its limit")
        precondition(sanitiser.sanitise(once).text == once, "sanitising twice differs from once")
        return true
    }

    /// The checkpoint (signed note) parser: an accepted note starts with the checkpoint it claims.
    static func checkpoint(_ bytes: [UInt8]) -> Bool {
        let note = String(decoding: bytes, as: UTF8.self)
        guard let checkpoint = try? Checkpoint.verify(note: note, name: key.name, publicKey: key.publicKey) else { return false }
        precondition(note.hasPrefix("\(checkpoint.origin)\n\(checkpoint.size)\n\(checkpoint.root.base64)\n"), "accepted a note that does not state its checkpoint")
        return true
    }
}
