import NSCore

/// The ledger's stored rows as ``TableCopy`` tables: a backup of a ledger on PostgreSQL is written
/// as the SQLite file an SQLite ns-node keeps, and a restore (or a migration) reads such a file
/// into PostgreSQL. Only the tables both engines store are copied, with the columns both have;
/// what one engine derives from them (SQLite's lookup tables, PostgreSQL's lookup keys, `meta`,
/// `head` and counters) each side derives again.
public enum LedgerCopy {
    /// Every copied table, parents before the rows that refer to them (blocks before txs).
    public static let tables: [TableCopy.Table] = [
        TableCopy.Table("blocks", [("height", .integer), ("hash", .blob), ("prev_hash", .blob), ("time", .integer), ("tx_root", .blob),
                                   ("log_size", .integer), ("log_root", .blob), ("producer", .text), ("signature", .blob), ("tx_count", .integer)],
                        orderBy: "height"),
        TableCopy.Table("txs", [("leaf_index", .integer), ("hash", .blob), ("leaf_hash", .blob), ("block_height", .integer), ("artifact", .blob), ("body", .blob)],
                        orderBy: "leaf_index"),
        TableCopy.Table("tree_nodes", [("level", .integer), ("idx", .integer), ("hash", .blob)], orderBy: "level, idx"),
        TableCopy.Table("checkpoints", [("log_size", .integer), ("note", .text)], orderBy: "log_size"),
        TableCopy.Table("mempool", [("seq", .integer), ("hash", .blob), ("body", .blob), ("received_at", .integer), ("job_key", .integer)],
                        orderBy: "seq", generatedSeq: true),
        TableCopy.Table("validators", [("id", .text), ("name", .text), ("public_key", .blob), ("added_height", .integer), ("removed_height", .optionalInteger)],
                        orderBy: "id"),
        TableCopy.Table("validator_changes", [("seq", .integer), ("height", .integer), ("action", .text), ("validator_id", .text), ("name", .text),
                                              ("public_key", .blob), ("requested_by", .text), ("time", .integer)],
                        orderBy: "seq", generatedSeq: true),
    ]

    /// The 8-byte lookup key of a stored digest, as both engines store it (``MerkleHash/lookupKey``);
    /// `nil` when the bytes are not a SHA-256 digest (a damaged row).
    public static func lookupKey(_ digest: [UInt8]) -> Int64? {
        digest.count == 32 ? MerkleHash(digest).lookupKey : nil
    }

    /// The lookup key of the job a stored transaction body records, or `nil` when it records none.
    public static func jobKey(body: [UInt8]) -> Int64? {
        LedgerJobKey.jobID(inBody: body).map(LedgerJobKey.of)
    }
}
