/// A member of the validator set: a producer allowed to sign blocks.
public struct Validator: Sendable, Equatable, Hashable {
    public let name: String
    public let publicKey: LedgerPublicKey

    public init(name: String, publicKey: LedgerPublicKey) {
        self.name = name
        self.publicKey = publicKey
    }

    public var id: String { publicKey.validatorID }

    public var json: JSONValue {
        ["id": .string(id), "name": .string(name), "publicKey": .string(publicKey.base64)]
    }
}

/// The deterministic genesis block: height 0, time 0, empty roots, producer `genesis`, no
/// signature, and a `prevHash` that commits to the initial validator set, so two nodes started
/// from the same configuration agree on block 0 and `chain verify` can check the set.
public enum Genesis {
    public static let producer = "genesis"
    static let domain = Array("neuroswarm-genesis-v1\n".utf8)

    public static func header(validators: [Validator]) -> BlockHeader {
        BlockHeader(height: 0, prevHash: commitment(validators), time: 0, txRoot: MerkleTree.emptyRoot, logSize: 0,
                    logRoot: MerkleTree.emptyRoot, producer: producer)
    }

    /// SHA-256 of the domain tag and the canonical JSON of the set, ordered by validator id.
    public static func commitment(_ validators: [Validator]) -> MerkleHash {
        let ordered = validators.sorted { $0.id < $1.id }.map(\.json)
        return .sha256(domain + CanonicalJSON.encode(.array(ordered)))
    }
}
