import Foundation
import NSCore
@testable import NSNodes
import Testing

/// What every ``AdminStore`` must do, run against each ``AdminEngine``: one unforked audit chain
/// (also across two stores on one database), session writes committed with their entries, and
/// session lookups that honour expiry, revocation and the one-day pruning.
@Suite("AdminStore conformance")
struct AdminStoreConformanceTests {
    static let start = Date(timeIntervalSince1970: 1_765_079_700)
    static let day: TimeInterval = 86_400

    static func event(_ action: String, actor: String = "alice", outcome: String = "ok") -> AuditEvent {
        AuditEvent(actor: actor, role: "admin", source: "127.0.0.1", action: action, target: "/t", outcome: outcome, correlationID: "req-\(action)")
    }

    /// A session created at `createdAt` (Unix ms) lasting `lifetimeMs`.
    static func session(_ name: String, createdAt: Int64, lifetimeMs: Int64 = 3_600_000) -> AdminSession {
        AdminSession(idHash: "hash-\(name)", subject: name, role: .operator, csrf: "csrf-\(name)", source: "127.0.0.1",
                     createdAt: createdAt, expiresAt: createdAt + lifetimeMs)
    }

    static var startMs: Int64 { start.unixMs }

    @Test("appends are numbered 1, 2, 3, ..., chained, and read back newest first, filtered, by number and in order", arguments: AdminEngine.allCases)
    func appendsChain(engine: AdminEngine) async throws {
        let under = try await engine.make()
        let store = under.store
        #expect(try await store.head() == nil)
        var appended: [AuditEntry] = []
        for (index, action) in ["sign-in", "dlq-retry", "sign-in", "queue-pause", "sign-out"].enumerated() {
            appended.append(try await store.append(Self.event(action, actor: index == 2 ? "bob" : "alice"), now: Self.start + Double(index)))
        }
        #expect(appended.map(\.sequence) == [1, 2, 3, 4, 5])
        #expect(appended.map(\.previousHash) == [AuditChain.genesisHash] + appended.dropLast().map(\.hash))
        #expect(appended.allSatisfy { $0.hash == $0.computedHash })
        #expect(appended[1].time == Self.startMs + 1000)
        let all = try await store.all()
        #expect(all == appended)
        #expect(AuditChain.firstBreak(in: all) == nil)
        #expect(try await store.head() == appended[4])
        #expect(try await store.entry(sequence: 3) == appended[2])
        #expect(try await store.entry(sequence: 6) == nil)
        #expect(try await store.recent(limit: 2, actor: nil, action: nil).map(\.sequence) == [5, 4])
        #expect(try await store.recent(limit: 10, actor: nil, action: "sign-in").map(\.sequence) == [3, 1])
        #expect(try await store.recent(limit: 10, actor: "alice", action: "sign-in").map(\.sequence) == [1])
        try await store.check()
        try await under.stop()
    }

    @Test("createSession stores the session and its entry; a session that cannot be stored leaves no entry", arguments: AdminEngine.allCases)
    func createSessionCommitsWithItsEntry(engine: AdminEngine) async throws {
        let under = try await engine.make()
        let store = under.store
        let alice = Self.session("alice", createdAt: Self.startMs)
        let entry = try await store.createSession(alice, audited: Self.event("sign-in"), now: Self.start)
        #expect(entry.sequence == 1 && entry.action == "sign-in" && entry.outcome == "ok")
        #expect(try await store.session(idHash: alice.idHash, now: Self.startMs) == alice)

        let clash = AdminSession(idHash: alice.idHash, subject: "mallory", role: .admin, csrf: "c", source: "10.0.0.9",
                                 createdAt: Self.startMs, expiresAt: Self.startMs + 7_200_000)
        await #expect(throws: (any Error).self) {
            try await store.createSession(clash, audited: Self.event("sign-in", actor: "mallory"), now: Self.start)
        }
        #expect(try await store.all() == [entry], "the entry of a session that was not stored is not committed")
        #expect(try await store.session(idHash: alice.idHash, now: Self.startMs) == alice)
        try await under.stop()
    }

    @Test("revokeSession ends a live session; with none live it commits failedOutcome, or the event's own outcome when nil", arguments: AdminEngine.allCases)
    func revokeSemantics(engine: AdminEngine) async throws {
        let under = try await engine.make()
        let store = under.store
        let alice = Self.session("alice", createdAt: Self.startMs)
        _ = try await store.createSession(alice, audited: Self.event("sign-in"), now: Self.start)

        #expect(try await store.revokeSession(idHash: alice.idHash, audited: Self.event("session-revoke"), now: Self.start + 1,
                                              failedOutcome: "failed: no live session \(alice.idHash)"))
        #expect(try await store.session(idHash: alice.idHash, now: Self.startMs + 1000) == nil)
        #expect(try await store.head()?.outcome == "ok")

        #expect(try await !store.revokeSession(idHash: alice.idHash, audited: Self.event("session-revoke"), now: Self.start + 2,
                                               failedOutcome: "failed: no live session \(alice.idHash)"))
        #expect(try await store.head()?.outcome == "failed: no live session \(alice.idHash)")

        #expect(try await !store.revokeSession(idHash: "hash-nobody", audited: Self.event("sign-out"), now: Self.start + 3, failedOutcome: nil))
        let all = try await store.all()
        #expect(all.map(\.action) == ["sign-in", "session-revoke", "session-revoke", "sign-out"])
        #expect(all.last?.outcome == "ok")
        #expect(AuditChain.firstBreak(in: all) == nil)
        try await under.stop()
    }

    @Test("a session is live until it expires or is revoked; activeSessions lists the live ones newest first", arguments: AdminEngine.allCases)
    func lookupHonoursExpiryAndRevocation(engine: AdminEngine) async throws {
        let under = try await engine.make()
        let store = under.store
        let t = Self.startMs
        let (a, b, c, short, revoked) = (Self.session("a", createdAt: t), Self.session("b", createdAt: t + 2), Self.session("c", createdAt: t + 1),
                                         Self.session("short", createdAt: t + 3, lifetimeMs: 10), Self.session("revoked", createdAt: t + 4))
        for session in [a, b, c, short, revoked] {
            _ = try await store.createSession(session, audited: Self.event("sign-in", actor: session.subject), now: Self.start)
        }
        _ = try await store.revokeSession(idHash: revoked.idHash, audited: Self.event("session-revoke"), now: Self.start, failedOutcome: nil)

        #expect(try await store.session(idHash: short.idHash, now: short.expiresAt - 1) == short)
        #expect(try await store.session(idHash: short.idHash, now: short.expiresAt) == nil, "expiresAt is the first instant it is no longer live")
        #expect(try await store.session(idHash: revoked.idHash, now: t + 5) == nil)
        #expect(try await store.session(idHash: "hash-unknown", now: t + 5) == nil)
        #expect(try await store.activeSessions(now: t + 5) == [short, b, c, a])
        #expect(try await store.activeSessions(now: short.expiresAt) == [b, c, a])
        #expect(try await store.activeSessions(now: a.expiresAt) == [b, c])
        try await under.stop()
    }

    @Test("createSession drops sessions that expired or were revoked more than a day before it and keeps the rest", arguments: AdminEngine.allCases)
    func createSessionPrunesDayOldSessions(engine: AdminEngine) async throws {
        let under = try await engine.make()
        let store = under.store
        let now = Self.start
        let hour: Int64 = 3_600_000
        let setUp = now - 3 * Self.day
        let expiredLong = Self.session("expired-long", createdAt: Self.startMs - 50 * hour, lifetimeMs: hour)
        let revokedLong = Self.session("revoked-long", createdAt: Self.startMs - 60 * hour, lifetimeMs: 100 * hour)
        let expiredRecently = Self.session("expired-recently", createdAt: Self.startMs - 2 * hour, lifetimeMs: hour)
        let revokedRecently = Self.session("revoked-recently", createdAt: Self.startMs - 60 * hour, lifetimeMs: 100 * hour)
        let live = Self.session("live", createdAt: Self.startMs - hour, lifetimeMs: 8 * hour)
        for session in [expiredLong, revokedLong, expiredRecently, revokedRecently, live] {
            _ = try await store.createSession(session, audited: Self.event("sign-in", actor: session.subject), now: setUp)
        }
        #expect(try await store.revokeSession(idHash: revokedLong.idHash, audited: Self.event("session-revoke"), now: now - 2 * Self.day, failedOutcome: nil))
        #expect(try await store.revokeSession(idHash: revokedRecently.idHash, audited: Self.event("session-revoke"), now: now - 3600, failedOutcome: nil))
        let everyOne = Set([expiredLong, revokedLong, expiredRecently, revokedRecently, live].map(\.idHash))
        #expect(try await under.storedSessionHashes() == everyOne)

        let newest = Self.session("newest", createdAt: Self.startMs)
        _ = try await store.createSession(newest, audited: Self.event("sign-in", actor: "newest"), now: now)
        #expect(try await under.storedSessionHashes() == everyOne.subtracting([expiredLong.idHash, revokedLong.idHash]).union([newest.idHash]))
        #expect(try await store.activeSessions(now: Self.startMs) == [newest, live])
        try await under.stop()
    }

    @Test("8 tasks appending 50 entries each through two stores on one database extend one chain, 1...400", arguments: AdminEngine.allCases)
    func concurrentAppendsExtendOneChain(engine: AdminEngine) async throws {
        let under = try await engine.make()
        let stores = [under.store, try await under.sibling()]
        let sequences = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for task in 0..<8 {
                let store = stores[task % 2]
                group.addTask {
                    var numbers: [Int64] = []
                    for index in 0..<50 {
                        numbers.append(try await store.append(Self.event("task-\(task)", outcome: "ok \(index)"), now: Date()).sequence)
                    }
                    return numbers
                }
            }
            return try await group.reduce(into: [Int64]()) { $0 += $1 }
        }
        #expect(sequences.sorted() == Array(1...400))
        let all = try await stores[1].all()
        #expect(all.map(\.sequence) == Array(1...400))
        #expect(AuditChain.firstBreak(in: all) == nil)
        for task in 0..<8 {
            let own = all.filter { $0.action == "task-\(task)" }.map(\.outcome)
            #expect(own == (0..<50).map { "ok \($0)" }, "task \(task)'s entries are in the order it appended them")
        }
        try await under.stop()
    }

    @Test("a session created through one store is live through another on the same database, and revoked through it", arguments: AdminEngine.allCases)
    func sessionsAreSharedAcrossStores(engine: AdminEngine) async throws {
        let under = try await engine.make()
        let sibling = try await under.sibling()
        let alice = Self.session("alice", createdAt: Self.startMs)
        _ = try await under.store.createSession(alice, audited: Self.event("sign-in"), now: Self.start)
        #expect(try await sibling.session(idHash: alice.idHash, now: Self.startMs + 1) == alice)
        #expect(try await sibling.activeSessions(now: Self.startMs + 1) == [alice])
        #expect(try await sibling.revokeSession(idHash: alice.idHash, audited: Self.event("sign-out"), now: Self.start + 1, failedOutcome: nil))
        #expect(try await under.store.session(idHash: alice.idHash, now: Self.startMs + 2) == nil)
        #expect(try await under.store.all().map(\.sequence) == [1, 2])
        try await under.stop()
    }
}
