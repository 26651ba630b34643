/// admin-node's stored rows as ``TableCopy`` tables: how `nsctl backup admin-node-data` writes the
/// `admin` schema of a PostgreSQL database into the `admin.db` an SQLite admin-node keeps, and how
/// `nsctl restore` puts such a file (from either engine) into PostgreSQL.
///
/// Sessions are copied with the trail, as the SQLite backup copies admin.db whole: a session row
/// holds the SHA-256 of the cookie's id, never the id, so a backup hands out no live session.
public enum AdminCopy {
    /// The audit trail first (the sessions do not refer to it, but an import that fails on the
    /// chain then fails before copying anything else).
    public static let tables: [TableCopy.Table] = [
        TableCopy.Table("audit", [("seq", .integer), ("time", .integer), ("actor", .text), ("role", .text), ("source", .text), ("action", .text),
                                  ("target", .text), ("outcome", .text), ("correlation_id", .text), ("prev_hash", .text), ("hash", .text)],
                        orderBy: "seq"),
        TableCopy.Table("sessions", [("id_hash", .text), ("subject", .text), ("role", .text), ("csrf", .text), ("source", .text),
                                     ("created_at", .integer), ("expires_at", .integer), ("revoked_at", .optionalInteger)],
                        orderBy: "id_hash"),
    ]
}
