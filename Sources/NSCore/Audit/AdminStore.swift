import Foundation

/// One signed-in operator's server-side session. The cookie carries a random id; only its SHA-256
/// (`idHash`) is stored, so a stolen database does not hand out live sessions. Times are Unix ms.
/// Was `SessionStore.Session` (same fields).
public struct AdminSession: Sendable, Equatable {
    public let idHash: String
    public let subject: String
    public let role: OperatorRole
    /// The token every form post of this session must carry.
    public let csrf: String
    /// The client address the session was signed in from.
    public let source: String
    public let createdAt: Int64
    public let expiresAt: Int64

    public init(idHash: String, subject: String, role: OperatorRole, csrf: String, source: String, createdAt: Int64, expiresAt: Int64) {
        self.idHash = idHash
        self.subject = subject
        self.role = role
        self.csrf = csrf
        self.source = source
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// admin-node's state: the hash-chained audit trail and the sessions. Implementations serialise appends in the
/// DATABASE, so two admin-nodes on one database extend one chain (seq 1, 2, 3, ..., each prevHash the previous
/// entry's hash), never a fork. Every session write commits in the same transaction as its audit entry.
///
/// A method that throws has written nothing: callers refuse what the entry was for (admin-node answers
/// `AdminError.auditUnavailable`, 503).
public protocol AdminStore: Sendable {
    /// Appends `event` as the next entry of the chain, stamped with `now`, in a transaction of its own.
    func append(_ event: AuditEvent, now: Date) async throws -> AuditEntry
    /// Sign-in: stores `session` and appends `event`'s entry in one transaction, and drops sessions that
    /// expired or were revoked more than a day before `now` (as SessionStore.create does today).
    func createSession(_ session: AdminSession, audited event: AuditEvent, now: Date) async throws -> AuditEntry
    /// Ends the live session with this id hash and appends `event`'s entry in one transaction; returns whether a
    /// live session was ended. When none was live and `failedOutcome` is not nil, the entry is committed with
    /// outcome `failedOutcome` instead (the caller then throws its refusal); nil keeps `event.outcome`.
    func revokeSession(idHash: String, audited event: AuditEvent, now: Date, failedOutcome: String?) async throws -> Bool
    /// Newest first, at most `limit`; `actor` and `action` filter exactly when given.
    func recent(limit: Int, actor: String?, action: String?) async throws -> [AuditEntry]
    /// The newest entry, or `nil` for an empty trail: what admin-node anchors in the ledger.
    func head() async throws -> AuditEntry?
    /// The entry numbered `sequence`, if the trail holds it.
    func entry(sequence: Int64) async throws -> AuditEntry?
    /// Every entry in sequence order, for verification (``AuditChain/firstBreak(in:)``).
    func all() async throws -> [AuditEntry]
    /// The live session (not revoked, expiresAt > now, Unix ms) with this id hash.
    func session(idHash: String, now: Int64) async throws -> AdminSession?
    /// Live sessions, newest first.
    func activeSessions(now: Int64) async throws -> [AdminSession]
    /// For /health: the store answers and takes writes.
    func check() async throws
}

extension Date {
    /// Unix milliseconds, the unit of every time an ``AdminStore`` keeps: both engines stamp entries
    /// and sessions with it, so they hash and compare alike.
    public var unixMs: Int64 { Int64(timeIntervalSince1970 * 1000) }
}
