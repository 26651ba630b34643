import Foundation
import GRDB
import NSCore

/// Server-side sessions: a sign-in makes one, every request looks it up, sign-out and an admin's
/// revocation end it at once (the cookie alone proves nothing once revoked).
public struct SessionStore: Sendable {
    let pool: DatabasePool
    /// How long a session lasts from sign-in.
    public let lifetime: Duration

    public init(pool: DatabasePool, lifetime: Duration = .seconds(8 * 3600)) {
        self.pool = pool
        self.lifetime = lifetime
    }

    public struct Session: Sendable, Equatable {
        public let idHash: String
        public let subject: String
        public let role: OperatorRole
        public let csrf: String
        public let source: String
        public let createdAt: Int64
        public let expiresAt: Int64
    }

    /// Creates a session inside the caller's transaction (the one that writes its audit entry) and
    /// returns the secret id for the cookie (stored only as its hash).
    func create(subject: String, role: OperatorRole, source: String, now: Date = Date(), in db: Database) throws -> (id: String, session: Session) {
        let id = Hex.encode(SecureRandom.bytes(32))
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        let session = Session(idHash: Self.hash(id), subject: subject, role: role, csrf: Hex.encode(SecureRandom.bytes(32)), source: source,
                              createdAt: nowMs, expiresAt: nowMs + Int64(lifetime / .milliseconds(1)))
        try db.execute(sql: "INSERT INTO sessions (id_hash, subject, role, csrf, source, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       arguments: [session.idHash, subject, role.rawValue, session.csrf, source, session.createdAt, session.expiresAt])
        // Expired and revoked sessions are kept a day for the sessions page, then dropped.
        try db.execute(sql: "DELETE FROM sessions WHERE expires_at < ? OR revoked_at < ?", arguments: [nowMs - 86_400_000, nowMs - 86_400_000])
        return (id, session)
    }

    /// The live session for a cookie id, or `nil` when unknown, expired or revoked.
    public func session(id: String, now: Date = Date()) throws -> Session? {
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        return try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sessions WHERE id_hash = ? AND revoked_at IS NULL AND expires_at > ?",
                             arguments: [Self.hash(id), nowMs]).flatMap(Self.session)
        }
    }

    /// Live sessions, newest first.
    public func active(now: Date = Date()) throws -> [Session] {
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        return try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sessions WHERE revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC",
                             arguments: [nowMs]).compactMap(Self.session)
        }
    }

    /// Ends a session by its stored hash inside the caller's transaction (the one that writes its
    /// audit entry); returns whether a live one was ended.
    @discardableResult
    func revoke(idHash: String, now: Date = Date(), in db: Database) throws -> Bool {
        try db.execute(sql: "UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL",
                       arguments: [Int64(now.timeIntervalSince1970 * 1000), idHash])
        return db.changesCount > 0
    }

    static func hash(_ id: String) -> String { MerkleHash.sha256(Array(id.utf8)).hex }

    private static func session(_ row: Row) -> Session? {
        guard let role = OperatorRole(rawValue: row["role"]) else { return nil }
        return Session(idHash: row["id_hash"], subject: row["subject"], role: role, csrf: row["csrf"], source: row["source"],
                       createdAt: row["created_at"], expiresAt: row["expires_at"])
    }
}
