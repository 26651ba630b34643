import NSCore

extension MerkleHash {
    /// The first 8 bytes as a signed integer: the key ledger lookups by digest use on every engine
    /// (SQLite's ``LookupTables``, PostgreSQL's `artifact_key`), so a backup copies them as they
    /// are. Small integer keys make lookup indexes far smaller than 32-byte blobs would; being a
    /// prefix, every candidate found by one must be confirmed against the full digest.
    public var lookupKey: Int64 {
        Int64(bitPattern: bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }
}

/// How a stored transaction is found by the job id it records, on every engine: by the lookup key
/// of SHA-256 of the id's UTF-8 bytes, each candidate confirmed by the job id its body records.
public enum LedgerJobKey {
    /// The key of `jobID` (SQLite's `job_lookup` and `mempool.job_key`, PostgreSQL's `job_key` columns).
    public static func of(_ jobID: String) -> Int64 {
        MerkleHash.sha256(Array(jobID.utf8)).lookupKey
    }

    /// The job id a stored canonical transaction records, or `nil` when the bytes are not a
    /// transaction object with a string `jobId` (they then record no job at all).
    public static func jobID(inBody body: [UInt8]) -> String? {
        do {
            return try CanonicalJSON.decode(body)["jobId"]?.stringValue
        } catch {
            return nil  // not a transaction object: it records no job
        }
    }
}
