import GRDB
import NSCore

/// admin-node's `audit` table read as ``AuditEntry`` values: admin-node (`SQLiteAdminStore`) and
/// `nsctl audit` (reading admin.db directly) both read it, so its columns are mapped here once.
extension AuditEntry {
    /// The entry stored in one row of the `audit` table.
    public init(auditRow row: Row) {
        self.init(sequence: row["seq"], time: row["time"], actor: row["actor"], role: row["role"], source: row["source"],
                  action: row["action"], target: row["target"], outcome: row["outcome"], correlationID: row["correlation_id"],
                  previousHash: row["prev_hash"], hash: row["hash"])
    }

    /// Every entry of the trail in sequence order, as verification reads it.
    public static func fetchAllInOrder(_ db: Database) throws -> [AuditEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY seq").map(AuditEntry.init(auditRow:))
    }
}
