import NSCore

/// A page of ns-node's mempool (`GET /v1/mempool`) read into transactions, for the block producer.
///
/// ns-node writes each entry as `{"tx":<the transaction's canonical bytes>,"txHash":"<hex>"}`. Those
/// bytes are kept as they are (after checking they are canonical and hash to `txHash`), so a
/// thousand transactions are parsed once and never encoded again. An entry in any other shape is
/// read the general way, and gives the same transaction.
enum MempoolPage {
    static func transactions(from body: [UInt8]) throws -> [LedgerTransaction] {
        let (_, elements) = try CanonicalJSON.decodeObject(body, deferringArray: "txs")
        return try (elements ?? []).map { range in
            let entry = body[range]
            if let tx = try spliced(entry) { return tx }
            return try LedgerTransaction(CanonicalJSON.decode(entry)["tx"] ?? .null)
        }
    }

    private static let head = Array(#"{"tx":"#.utf8)
    private static let hashKey = Array(#","txHash":""#.utf8)
    /// `,"txHash":"` + 64 hex digits + `"}`.
    private static let tailCount = hashKey.count + 64 + 2

    /// The transaction of an entry in ns-node's own shape; `nil` when the entry has another shape.
    /// Throws when the transaction itself is invalid.
    private static func spliced(_ entry: ArraySlice<UInt8>) throws(TransactionError) -> LedgerTransaction? {
        guard entry.count > head.count + tailCount, entry.starts(with: head), entry.last == UInt8(ascii: "}") else { return nil }
        let tail = entry.index(entry.endIndex, offsetBy: -tailCount)
        guard entry[tail..<tail + hashKey.count].elementsEqual(hashKey),
              let claimed = MerkleHash(hex: String(decoding: entry[(tail + hashKey.count)..<(entry.endIndex - 2)], as: UTF8.self)) else { return nil }
        let bytes = Array(entry[(entry.startIndex + head.count)..<tail])
        // Bytes that are not canonical JSON are another shape: `nil` sends them the general way, which says what is wrong.
        guard let (value, isCanonical) = try? CanonicalJSON.decodeNotingCanonical(bytes), isCanonical else { return nil }
        let tx = try LedgerTransaction(value, canonicalBytes: bytes)
        return tx.hash == claimed ? tx : nil
    }
}
