import NSCore
import NSRedis

/// The Sentinel part of `nsctl health`: the master the sentinels name, the replicas in sync with
/// it, and whether enough sentinels agree to fail over.
extension HealthVerdict {
    /// CRITICAL without a master; WARNING when fewer sentinels agree on it than the quorum, the
    /// quorum cannot be reached, or no replica is in sync (a failover would have nothing to promote).
    var sentinelState: State {
        guard let sentinel else { return .ok }
        guard sentinel.master != nil else { return .critical }
        return sentinelProblems.isEmpty ? .ok : .warning
    }

    private var sentinelProblems: [String] {
        guard let sentinel, sentinel.master != nil else { return [] }
        var problems: [String] = []
        if let quorum = sentinel.quorum {
            if sentinel.agreeing < quorum { problems.append("fewer sentinels agree than the quorum of \(quorum)") }
        } else {
            problems.append("no sentinel reported its quorum")
        }
        if let check = sentinel.quorumCheck, !check.reachable { problems.append(check.message) }
        if sentinel.replicasInSync == 0 { problems.append("no replica in sync") }
        return problems
    }

    /// `master 127.0.0.1:6380, 1 of 1 replicas in sync, 3 of 3 sentinels agree (quorum 2)`.
    var sentinelSummary: String? {
        guard let sentinel else { return nil }
        guard let master = sentinel.master else { return "no master found (\(sentinel.masterFailure ?? "no sentinel answered"))" }
        let quorum = sentinel.quorum.map { " (quorum \($0))" } ?? ""
        let facts = "master \(master), \(sentinel.replicasInSync) of \(sentinel.replicas.count) replicas in sync, "
            + "\(sentinel.agreeing) of \(sentinel.sentinelCount) sentinels agree\(quorum)"
        let problems = sentinelProblems
        return problems.isEmpty ? facts : facts + ": " + problems.joined(separator: "; ")
    }

    /// `redis_replicas_in_sync=1;1:;;0 sentinels_agreeing=3;2:;1:;0;3`: WARNING below one replica
    /// and below the quorum, CRITICAL with no sentinel naming the master.
    var sentinelPerformanceData: String? {
        guard let sentinel else { return nil }
        return "redis_replicas_in_sync=\(sentinel.master == nil ? "" : String(sentinel.replicasInSync));1:;;0 "
            + "sentinels_agreeing=\(sentinel.agreeing);\(sentinel.quorum.map { "\($0):" } ?? "");1:;0;\(sentinel.sentinelCount)"
    }

    var sentinelJSON: JSONValue? {
        guard let sentinel else { return nil }
        var fields: [String: JSONValue] = [
            "state": .string(sentinelState.name), "sentinels": .int(Int64(sentinel.sentinelCount)), "agreeing": .int(Int64(sentinel.agreeing)),
            "quorum": sentinel.quorum.map { .int(Int64($0)) } ?? .null, "master": sentinel.master.map { .string($0.description) } ?? .null,
            "replicasInSync": .int(Int64(sentinel.replicasInSync)),
            "replicas": .array(sentinel.replicas.map { replica in
                .object(["address": .string(replica.address), "state": .string(replica.state),
                         "lagSeconds": replica.lagSeconds.map { .int(Int64($0)) } ?? .null])
            }),
        ]
        if let summary = sentinelSummary { fields["summary"] = .string(summary) }
        return .object(fields)
    }
}
