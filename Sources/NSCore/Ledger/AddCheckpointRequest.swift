/// The body of a C2SP tlog-witness `POST <prefix>/add-checkpoint` (c2sp.org/tlog-witness):
///
/// ```
/// old <size the witness last cosigned>
/// <base64 consistency proof hash, one per line, at most 63>
///
/// <signed checkpoint note>
/// ```
///
/// A log sends it (``encoded``) and the witness reads it (``parse(_:)``), so both agree on one format.
public struct AddCheckpointRequest: Sendable, Equatable {
    /// The most proof lines the protocol allows.
    public static let maxProofHashes = 63
    /// The `Content-Type` of a 409 answer, whose body is the witness's recorded size and a newline.
    public static let sizeMediaType = "text/x.tlog.size"

    public var oldSize: UInt64
    /// RFC 6962 consistency proof from `oldSize` to the checkpoint's size (empty when `oldSize` is 0).
    public var proof: [MerkleHash]
    /// The signed checkpoint, signature lines included.
    public var note: String

    public init(oldSize: UInt64, proof: [MerkleHash], note: String) {
        self.oldSize = oldSize
        self.proof = proof
        self.note = note
    }

    public var encoded: [UInt8] {
        Array((["old \(oldSize)"] + proof.map(\.base64)).map { $0 + "\n" }.joined().utf8) + Array("\n\(note)".utf8)
    }

    /// Reads a request body; ``Malformed`` says which part is wrong (the witness answers 400).
    public static func parse(_ bytes: [UInt8]) throws(Malformed) -> AddCheckpointRequest {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Malformed("the body is not UTF-8") }
        guard let blank = text.range(of: "\n\n") else { throw Malformed("no blank line after the old size and proof lines") }
        let header = text[..<blank.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = header.first, first.hasPrefix("old "), let oldSize = UInt64(first.dropFirst(4)), String(oldSize) == first.dropFirst(4)
        else { throw Malformed("the first line must be `old <size>` in decimal without leading zeroes") }
        let lines = header.dropFirst()
        guard lines.count <= maxProofHashes else { throw Malformed("more than \(maxProofHashes) consistency proof lines") }
        var proof: [MerkleHash] = []
        for (index, line) in lines.enumerated() {
            guard let bytes = Base64.decode(String(line)), bytes.count == 32 else {
                throw Malformed("consistency proof line \(index + 1) is not a base64 SHA-256 hash")
            }
            proof.append(MerkleHash(bytes))
        }
        return AddCheckpointRequest(oldSize: oldSize, proof: proof, note: String(text[blank.upperBound...]))
    }

    /// Why a body is not an add-checkpoint request.
    public struct Malformed: Error, Equatable, Sendable, CustomStringConvertible {
        public let reason: String

        public init(_ reason: String) {
            self.reason = reason
        }

        public var description: String { reason }
    }
}
