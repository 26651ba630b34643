import Foundation
import NSCore

/// Where one submitted file ended up.
struct JobOutcome: Sendable {
    let name: String
    let id: String
    let state: String
    let blockHeight: Int64?
    let txHash: String?
    let reason: String?

    var committed: Bool { blockHeight != nil }

    var line: String {
        if let blockHeight, let txHash { return "\(name)  \(Terminal.paint("committed", .green))  block \(blockHeight)  tx \(txHash)  (\(id))" }
        return "\(name)  \(Terminal.paint(state, .red))\(reason.map { "  \($0)" } ?? "")  (\(id))"
    }

    var json: JSONValue {
        var fields: [String: JSONValue] = ["file": .string(name), "id": .string(id), "state": .string(state), "committed": .bool(committed)]
        if let blockHeight { fields["blockHeight"] = .int(blockHeight) }
        if let txHash { fields["txHash"] = .string(txHash) }
        if let reason { fields["reason"] = .string(reason) }
        return .object(fields)
    }
}

/// Polls `GET /api/status/{id}` until every job is in a block, dead-lettered or cancelled, or
/// the time is up. On a terminal a progress bar is drawn on stderr; otherwise one line per
/// finished job, so logs of scripted runs stay readable.
struct JobWaiter {
    let client: NodeEndpoint
    let bearer: String
    let timeout: Duration

    func wait(for ids: [String], names: [String], json: Bool) async throws -> [JobOutcome] {
        let deadline = ContinuousClock.now + timeout
        var finished: [String: JobOutcome] = [:]
        let progress = Progress(total: ids.count, enabled: isatty(STDERR_FILENO) == 1 && !json)
        var pause: Duration = .milliseconds(250)
        while finished.count < ids.count {
            for (id, name) in zip(ids, names) where finished[id] == nil {
                if let outcome = try await poll(id, name: name) {
                    finished[id] = outcome
                    if progress.enabled { progress.draw(done: finished.count) } else if !json { FileHandle.standardError.write(Data("finished: \(outcome.line)\n".utf8)) }
                }
            }
            if finished.count == ids.count { break }
            guard ContinuousClock.now < deadline else {
                progress.finish()
                let pending = ids.filter { finished[$0] == nil }
                throw CommandFailure("gave up after --wait-timeout with \(pending.count) job(s) unfinished (\(pending.prefix(5).joined(separator: ", "))); check them with nsctl jobs status")
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(2))
        }
        progress.finish()
        return ids.compactMap { finished[$0] }
    }

    /// The outcome once the job is final, `nil` while it is still on its way.
    private func poll(_ id: String, name: String) async throws -> JobOutcome? {
        let reply = try await client.get("/api/status/\(id)", bearer: bearer)
        // A body that is not JSON is reported below with the reply's own summary.
        guard reply.status == 200, let status = try? CanonicalJSON.decode(reply.body) else {
            throw CommandFailure("status of \(id): \(reply.problem.summary)")
        }
        let state = status["state"]?.stringValue ?? "unknown"
        switch state {
        case "completed":
            guard let ledger = status["ledger"], ledger["status"]?.stringValue == "committed" else { return nil }
            return JobOutcome(name: name, id: id, state: state, blockHeight: ledger["blockHeight"]?.intValue, txHash: status["txHash"]?.stringValue, reason: nil)
        case "dead_letter", "cancelled":
            return JobOutcome(name: name, id: id, state: state, blockHeight: nil, txHash: nil, reason: status["lastError"]?["message"]?.stringValue)
        default:
            return nil
        }
    }
}

/// `[#########-----------] 9/20` on stderr, redrawn in place.
struct Progress {
    let total: Int
    let enabled: Bool

    func draw(done: Int) {
        let width = 30
        let filled = total == 0 ? width : done * width / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total)".utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
