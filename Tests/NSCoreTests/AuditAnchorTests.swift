import NSCore
import Testing

@Suite("the audit head anchored in the ledger, and the check of a trail against it")
struct AuditAnchorTests {
    /// A chained trail of `count` entries.
    static func trail(_ count: Int) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        for sequence in 1...Int64(count) {
            var entry = AuditEntry(sequence: sequence, time: 1_765_079_700_000 + sequence, actor: "alice", role: "admin", source: "127.0.0.1",
                                   action: "queue-pause", target: "queue", outcome: "ok", correlationID: "req-\(sequence)",
                                   previousHash: entries.last?.hash ?? AuditChain.genesisHash)
            entry.hash = entry.computedHash
            entries.append(entry)
        }
        return entries
    }

    /// The anchor of `head` as ns-node's job lookup answers it.
    static func anchored(_ head: AuditEntry, pending: Bool = false) throws -> AuditAnchor.Anchored {
        let tx = try AuditAnchor.transaction(for: head, timeMs: 1_765_080_000_000)
        var answer: [String: JSONValue] = ["txHash": .string(tx.hash.hex), "tx": tx.value]
        if pending { answer["pending"] = true } else { answer["blockHeight"] = 7; answer["leafIndex"] = 12 }
        return try #require(AuditAnchor.anchored(inLookup: .object(answer)))
    }

    @Test("AUDIT_ANCHOR_INTERVAL_MS: a minute by default, shorter when set, never longer than the minute docs/admin.md promises")
    func intervalSetting() throws {
        func load(_ environment: [String: String]) throws(ConfigurationError) -> DaemonSettings {
            try DaemonSettings.load(roles: [.admin], source: ConfigurationSource(environment: environment))
        }
        #expect(try load([:]).auditAnchorInterval == .seconds(60))
        #expect(try load(["AUDIT_ANCHOR_INTERVAL_MS": "250"]).auditAnchorInterval == .milliseconds(250))
        for refused in ["60001", "99", "soon"] {
            do {
                _ = try load(["AUDIT_ANCHOR_INTERVAL_MS": refused])
                Issue.record("AUDIT_ANCHOR_INTERVAL_MS=\(refused) was accepted")
            } catch {
                #expect(error.variable == "AUDIT_ANCHOR_INTERVAL_MS")
            }
        }
    }

    @Test("an anchor is a valid ledger transaction recording the head entry as its artifact, and reads back from the lookup")
    func anchorRoundTrip() throws {
        let head = Self.trail(57).last!  // a trail of 57 has a last entry
        let tx = try AuditAnchor.transaction(for: head, timeMs: 1_765_080_000_000)
        #expect(tx.jobID == AuditAnchor.jobID && tx.submitter == AuditAnchor.submitter)
        #expect(tx.artifactSHA256 == head.hash && head.hash == MerkleHash.sha256(head.canonicalBytes).hex)
        #expect(tx.value["artifact"]?["size"] == .int(Int64(head.canonicalBytes.count)))
        let committed = try Self.anchored(head)
        #expect(committed == AuditAnchor.Anchored(sequence: 57, hash: head.hash, time: 1_765_080_000_000, txHash: tx.hash.hex, blockHeight: 7))
        #expect(try Self.anchored(head, pending: true).blockHeight == nil)
        #expect(committed.summary == "entry 57 (anchored 2025-12-07T04:00:00.000Z, block 7)")
    }

    @Test("a transaction of another job, another submitter or without the anchor's fields is not an anchor")
    func notAnAnchor() throws {
        let head = Self.trail(3).last!  // a trail of 3 has a last entry
        let tx = try AuditAnchor.transaction(for: head, timeMs: 1)
        var fields = tx.value.objectValue!  // a transaction is an object
        for (key, value) in [("jobId", JSONValue.string("job_x")), ("submitter", "mallory"), ("metadata", ["kind": "audit-head"])] {
            var changed = fields
            changed[key] = value
            #expect(AuditAnchor.anchored(inLookup: ["txHash": "h", "blockHeight": 1, "tx": .object(changed)]) == nil, "\(key)")
        }
        fields["time"] = 5
        #expect(AuditAnchor.anchored(inLookup: ["txHash": "h", "tx": .object(fields)]) == nil, "neither committed nor pending")
    }

    @Test("a trail holding the anchored head passes, however many entries follow it")
    func holdsTheHead() throws {
        let entries = Self.trail(60)
        let anchored = try Self.anchored(entries[56])
        #expect(AuditAnchorCheck.finding(anchored: anchored, trailEnd: 57, hashAtAnchored: entries[56].hash) == nil)
        #expect(AuditAnchorCheck.finding(anchored: anchored, trailEnd: 60, hashAtAnchored: entries[56].hash) == nil)
    }

    @Test("a trail ending before the anchored head names the missing range, the anchor's time and where the trail ends")
    func cutTail() throws {
        let anchored = try Self.anchored(Self.trail(57).last!)  // a trail of 57 has a last entry
        let cut = try #require(AuditAnchorCheck.finding(anchored: anchored, trailEnd: 40, hashAtAnchored: nil))
        #expect(cut.missing == 41...57)
        #expect(cut.description == "entries 41-57 are missing: the ledger anchored head 57 at 2025-12-07T04:00:00.000Z, the trail ends at 40")
        #expect(AuditAnchorCheck.finding(anchored: anchored, trailEnd: 56, hashAtAnchored: nil)?.description.hasPrefix("entry 57 is missing:") == true)
        let empty = try #require(AuditAnchorCheck.finding(anchored: anchored, trailEnd: 0, hashAtAnchored: nil))
        #expect(empty.missing == 1...57 && empty.description.hasSuffix("the trail is empty"))
    }

    @Test("a trail whose entry at the anchored number has another hash was rewritten; a gap there is a missing entry")
    func rewrittenHead() throws {
        let original = Self.trail(8)
        var rewritten = Self.trail(5)
        for sequence in 6...9 {
            var entry = AuditEntry(sequence: Int64(sequence), time: 9, actor: "mallory", role: "viewer", source: "x", action: "sign-in", target: "-",
                                   outcome: "ok", correlationID: "c", previousHash: rewritten.last!.hash)  // the trail is never empty here
            entry.hash = entry.computedHash
            rewritten.append(entry)
        }
        let anchored = try Self.anchored(original[7])
        let finding = try #require(AuditAnchorCheck.finding(anchored: anchored, trailEnd: 9, hashAtAnchored: rewritten[7].hash))
        #expect(finding.missing == nil && finding.description.hasPrefix("entry 8 is not the one the ledger anchored as the head at "))
        #expect(AuditAnchorCheck.finding(anchored: anchored, trailEnd: 9, hashAtAnchored: nil)?.missing == 8...8)
    }
}
