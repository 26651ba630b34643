import Foundation
import NSCore
import NSNodeClient
import NSQueue

/// What each page shows, gathered from the nodes as JSON: the pages render it, `/api/` returns
/// it as is, so scripts and people see the same facts.
struct AdminData: Sendable {
    let admin: AdminContext

    func overview(_ actor: AdminAccess.Actor, requestID: String) async throws -> JSONValue {
        async let nodes = nodeHealth(requestID: requestID)
        // The overview shows what the nodes can tell and "unknown" for the rest: a figure that
        // failed does not hide the others, and the node rows below it say which node is down and why.
        async let latest = try? admin.peers.json(.nsNode, "/v1/blocks/latest", requestID: requestID)
        async let mempool = try? admin.peers.json(.nsNode, "/v1/mempool?limit=1", requestID: requestID)
        async let queue = try? admin.peers.queue("/v1/queue", actor: actor, requestID: requestID)
        let (health, tip, pool, queueState) = await (nodes, latest, mempool, queue)
        let counts = queueState?["counts"]?.objectValue ?? [:]
        let completed = counts["completed"]?.intValue ?? 0
        let logSize = tip?["header"]?["logSize"]?.intValue ?? 0
        var rates = "Rates appear once the overview has been open for 10 seconds."
        if let sample = await admin.rates.record(completed: completed, logSize: logSize) {
            rates = String(format: "%.1f jobs completed and %.1f transactions committed per minute over the last %d s.",
                           sample.jobsPerMinute, sample.txsPerMinute, Int(sample.over / .seconds(1)))
        }
        return [
            "height": tip?["height"] ?? .string("unknown"),
            "mempool": pool?["total"] ?? .string("unknown"),
            "dlq": counts["dead_letter"] ?? .string("unknown"),
            "paused": queueState?["paused"] ?? false,
            "nodes": .array(health),
            "counts": .array(JobState.allCases.map { ["state": .string($0.rawValue), "count": counts[$0.rawValue] ?? .string("?")] }),
            "rates": .string(rates),
        ]
    }

    /// Every node's `/health`, with latency; admin-node itself is this process, so it is up.
    private func nodeHealth(requestID: String) async -> [JSONValue] {
        await withTaskGroup(of: (Int, JSONValue).self) { group in
            for (index, target) in AdminPeers.Target.allCases.enumerated() {
                group.addTask {
                    do throws(AdminError) {
                        let reply = try await admin.peers.call(target, "GET", "/health", requestID: requestID)
                        let failing = reply.failingChecks
                        return (index, ["name": .string(target.rawValue), "ok": .bool(reply.status == 200),
                                        "status": .string(reply.status == 200 ? "up" : "down (HTTP \(reply.status))"),
                                        "latency": .string(String(format: "%.1f ms", ((reply.latency / .microseconds(1)).rounded() / 1000))),
                                        "detail": .string(failing.isEmpty ? "" : "failing: " + failing.joined(separator: ", "))])
                    } catch {
                        return (index, ["name": .string(target.rawValue), "ok": false, "status": "down", "latency": "-",
                                        "detail": .string(error.detail)])
                    }
                }
            }
            var rows: [(Int, JSONValue)] = [(99, ["name": "admin-node", "ok": true, "status": "up", "latency": "0 ms", "detail": ""])]
            for await row in group { rows.append(row) }
            return rows.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    func jobs(_ actor: AdminAccess.Actor, id: String?, state: String?, requestID: String) async throws -> JSONValue {
        var data: [String: JSONValue] = ["id": .string(id ?? "")]
        let chosen = state ?? "queued"
        data["states"] = .array(JobState.allCases.map { ["name": .string($0.rawValue), "selected": .bool($0.rawValue == chosen)] })
        if let id, !id.isEmpty {
            let encoded = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["_", "-"])) ?? ""
            data["job"] = try await admin.peers.queue("/v1/jobs/\(encoded)", actor: actor, requestID: requestID)
        } else {
            guard JobState(rawValue: chosen) != nil else { throw AdminError.badInput("state must be one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))") }
            data["jobs"] = try await admin.peers.queue("/v1/jobs?state=\(chosen)&limit=100", actor: actor, requestID: requestID)["jobs"] ?? []
            data["listed"] = true
        }
        return .object(data)
    }

    func deadLetters(_ actor: AdminAccess.Actor, requestID: String) async throws -> JSONValue {
        let entries = try await admin.peers.queue("/v1/dlq?limit=100", actor: actor, requestID: requestID)["jobs"]?.arrayValue ?? []
        return ["count": .int(Int64(entries.count)), "entries": .array(entries)]
    }

    func chain(requestID: String) async throws -> JSONValue {
        let latest = try await admin.peers.json(.nsNode, "/v1/blocks/latest", requestID: requestID)
        var blocks = [Self.blockRow(latest)]
        var height = latest["height"]?.intValue ?? 0
        while height > 0 && blocks.count < 20 {
            height -= 1
            blocks.append(Self.blockRow(try await admin.peers.json(.nsNode, "/v1/blocks/\(height)", requestID: requestID)))
        }
        return ["blocks": .array(blocks)]
    }

    func block(_ height: String, requestID: String) async throws -> JSONValue {
        guard let number = UInt64(height) else { throw AdminError.badInput("the height must be a whole number") }
        let block = try await admin.peers.json(.nsNode, "/v1/blocks/\(number)", requestID: requestID)
        guard case .object(var row) = Self.blockRow(block) else { return block }
        row["prevHash"] = block["header"]?["prevHash"] ?? ""
        row["logSize"] = block["header"]?["logSize"] ?? 0
        row["txs"] = block["txs"] ?? .array([])
        return .object(row)
    }

    func transaction(_ hash: String, requestID: String) async throws -> JSONValue {
        guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else { throw AdminError.badInput("a transaction hash is 64 hex digits") }
        let tx = try await admin.peers.json(.nsNode, "/v1/tx/\(hash)", requestID: requestID)
        let proof = try await admin.peers.json(.nsNode, "/v1/proof/inclusion?leaf=\(hash)", requestID: requestID)
        let body = tx["tx"].map { String(decoding: CanonicalJSON.encode($0), as: UTF8.self) } ?? ""
        return ["hash": .string(hash), "blockHeight": tx["blockHeight"] ?? 0, "leafIndex": tx["leafIndex"] ?? 0, "body": .string(body),
                "treeSize": proof["treeSize"] ?? 0, "rootHash": proof["rootHash"] ?? "", "proof": proof["proof"] ?? [], "tx": tx["tx"] ?? .null]
    }

    func validators(requestID: String) async throws -> JSONValue {
        let answer = try await admin.peers.json(.nsNode, "/v1/validators", requestID: requestID)
        let rows = (answer["validators"]?.arrayValue ?? []).map { entry -> JSONValue in
            guard case .object(var row) = entry else { return entry }
            let active = row["active"].map { $0 == .bool(true) } ?? (row["removedHeight"] == nil || row["removedHeight"] == .null)
            row["active"] = .bool(active)
            row["status"] = .string(active ? "active since \(row["addedHeight"]?.intValue ?? 0)" : "removed at \(row["removedHeight"]?.intValue ?? 0)")
            return .object(row)
        }
        return ["validators": .array(rows), "changes": answer["changes"] ?? []]
    }

    func audit(actor: String?, action: String?) async throws -> JSONValue {
        let entries = try await admin.audit.store.recent(limit: 200, actor: actor.flatMap { $0.isEmpty ? nil : $0 }, action: action.flatMap { $0.isEmpty ? nil : $0 })
        let chainBreak = AuditChain.firstBreak(in: try await admin.audit.store.all())
        return ["entries": .array(entries.map(\.json)), "actor": .string(actor ?? ""), "action": .string(action ?? ""), "intact": .bool(chainBreak == nil),
                "chainStatus": .string(chainBreak.map { "The audit chain is broken at \($0)." } ?? "The audit chain verifies: no entry was changed, removed or reordered.")]
    }

    func sessions() async throws -> JSONValue {
        ["sessions": .array(try await admin.sessions.active().map { session in
            ["idHash": .string(session.idHash), "subject": .string(session.subject), "role": .string(session.role.rawValue),
             "source": .string(session.source), "createdAt": .string(LogTimestamp.format(unixMs: session.createdAt)),
             "expiresAt": .string(LogTimestamp.format(unixMs: session.expiresAt))]
        })]
    }

    private static func blockRow(_ block: JSONValue) -> JSONValue {
        ["height": block["height"] ?? 0, "hash": block["hash"] ?? "", "txCount": block["txCount"] ?? 0,
         "producer": block["header"]?["producer"] ?? "", "time": .string(LogTimestamp.format(unixMs: block["header"]?["time"]?.intValue ?? 0))]
    }
}
