import AsyncHTTPClient
import Foundation
import NIOCore
import NSCore

/// Holds a scenario to its promises: every accepted id ends committed in a block or dead-lettered
/// with a reason (and a retry from the dead-letter queue then commits it), nothing is committed
/// twice, the chain verifies, and the gateway never hung or failed with anything but 503.
struct Verdict {
    let client: HTTPClient
    let gateway: String
    let nsNode: String
    let vpNode: String
    let token: String
    let operatorToken: String
    let nsctl: String

    struct Counts {
        var accepted = 0, committed = 0, deadLettered = 0, retriedFromDLQ = 0, lost = 0, duplicated = 0
    }

    func get(_ url: String, bearer: String? = nil) async -> (Int, JSONValue?) {
        var request = HTTPClientRequest(url: url)
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        guard let response = try? await client.execute(request, timeout: .seconds(10)),
              let body = try? await response.body.collect(upTo: 16 << 20) else { return (0, nil) }
        return (Int(response.status.code), try? CanonicalJSON.decode(Array(buffer: body)))
    }

    /// The detail of one check in a node's `/health` report, `nil` when the node or the check
    /// does not answer. The report has fractional numbers (latencies, uptime), which the canonical
    /// decoder of ``get(_:bearer:)`` refuses, so it is read with Foundation's parser.
    func healthDetail(_ url: String, check: String) async -> String? {
        guard let response = try? await client.execute(HTTPClientRequest(url: url + "/health"), timeout: .seconds(10)),
              let body = try? await response.body.collect(upTo: 1 << 20),
              let report = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
              let checks = report["checks"] as? [String: Any], let found = checks[check] as? [String: Any] else { return nil }
        return found["detail"] as? String
    }

    func post(_ url: String, json: JSONValue, bearer: String) async -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(bearer)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: CanonicalJSON.encode(json)))
        return Int((try? await client.execute(request, timeout: .seconds(10)))?.status.code ?? 0)
    }

    /// Waits until every accepted job is final, retries what is dead-lettered once, then counts.
    func judge(_ accepted: [Traffic.Accepted], deadline: Duration = .seconds(180)) async -> Counts {
        var counts = Counts(accepted: accepted.count)
        var pending = Set(accepted.map(\.id))
        var dead = Set<String>()
        var retried = false
        let started = ContinuousClock.now
        while !pending.isEmpty && ContinuousClock.now - started < deadline {
            for id in pending {
                let (status, json) = await get("\(gateway)/api/status/\(id)", bearer: token)
                guard status == 200, let json else { continue }
                if json["ledger"]?["status"]?.stringValue == "committed", json["ledger"]?["blockHeight"]?.intValue != nil {
                    pending.remove(id)
                } else if json["state"]?.stringValue == "dead_letter", json["lastError"]?["message"]?.stringValue != nil, !retried {
                    dead.insert(id)
                }
            }
            // Once nothing is moving but dead letters, retry them all, once, as an operator would.
            if !dead.isEmpty && !retried && pending.isSubset(of: dead) {
                let status = await post("\(vpNode)/v1/dlq/retry", json: ["ids": .array(dead.map { .string($0) })], bearer: operatorToken)
                print("  retried \(dead.count) dead-lettered job(s) from the DLQ: HTTP \(status)")
                retried = true
            }
            if !pending.isEmpty { try? await Task.sleep(for: .milliseconds(500)) }
        }
        counts.deadLettered = dead.count
        counts.retriedFromDLQ = retried ? dead.count : 0
        counts.lost = pending.count
        counts.committed = accepted.count - pending.count
        for artifact in accepted {
            let sha = MerkleHash.sha256(Array(artifact.content.utf8)).hex
            let (_, json) = await get("\(nsNode)/v1/artifacts/\(sha)")
            if (json?["txs"]?.arrayValue?.count ?? 0) > 1 { counts.duplicated += 1 }
        }
        return counts
    }

    /// `nsctl chain verify` against the running ns-node.
    func chainVerifies() -> (Bool, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: nsctl)
        process.arguments = ["chain", "verify", "--ns-url", nsNode, "--timeout", "60"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        guard (try? process.run()) != nil else { return (false, "cannot run \(nsctl)") }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus == 0, output.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
