import Foundation
import NSCore
import NSNodeClient

/// One service's answer to `nsctl health`.
struct ServiceReport: Sendable, Equatable {
    enum Outcome: Sendable, Equatable {
        /// `/health` answered 200.
        case up
        /// The node answered 503: it runs, but a dependency of its own fails (named).
        case degraded(String)
        /// No answer: connection refused, timeout, or an unexpected status.
        case down(String)
        /// Some of several interchangeable nodes (ns-nodes listed in `NS_NODE_URL`) are down or
        /// degraded (named) while another answers: the service works, without its spare.
        case partlyDown(String)
    }

    let service: String
    let outcome: Outcome
    let latency: Duration?
}

/// Probes a node's `GET /health` (or Redis with PING) with a deadline.
enum HealthProbe {
    /// One service at each of `bases`, probed in parallel, as one report: what ``node(_:base:timeout:client:)``
    /// finds when there is one base; with several, up (at the slowest answer's latency) while
    /// one answers, ``ServiceReport/Outcome/partlyDown(_:)`` naming those that do not, or down
    /// (degraded when one answered 503) naming each when none answers.
    static func nodes(_ service: String, bases: [URL], timeout: Duration, client: NodeClient) async -> ServiceReport {
        if bases.count == 1 { return await node(service, base: bases[0], timeout: timeout, client: client) }
        let reports = await withTaskGroup(of: (Int, ServiceReport).self) { group in
            for (index, base) in bases.enumerated() {
                group.addTask { (index, await node(service, base: base, timeout: timeout, client: client)) }
            }
            var reports: [Int: ServiceReport] = [:]
            for await (index, report) in group { reports[index] = report }
            return bases.indices.compactMap { reports[$0] }
        }
        var failing: [String] = []
        for (base, report) in zip(bases, reports) {
            switch report.outcome {
            case .up: break
            case .degraded(let reason), .down(let reason), .partlyDown(let reason): failing.append("\(NodeTargets.label(base)) (\(reason))")
            }
        }
        let latency = reports.filter { $0.outcome == .up }.compactMap(\.latency).max()
        if failing.isEmpty { return ServiceReport(service: service, outcome: .up, latency: latency) }
        let listed = failing.joined(separator: ", ")
        if failing.count < bases.count { return ServiceReport(service: service, outcome: .partlyDown("down: " + listed), latency: latency) }
        let answered = reports.contains { if case .degraded = $0.outcome { true } else { false } }
        let summary = "none of the \(bases.count) answers: " + listed
        return ServiceReport(service: service, outcome: answered ? .degraded(summary) : .down(summary), latency: nil)
    }

    static func node(_ service: String, base: URL, timeout: Duration, client: NodeClient) async -> ServiceReport {
        var request = NodeRequest(node: service, base: base, path: "/health", timeout: timeout)
        request.maxBodyBytes = 1 << 20
        let reply: NodeReply
        do {
            reply = try await client.send(request)
        } catch {
            return ServiceReport(service: service, outcome: .down(error.reason), latency: nil)
        }
        switch reply.status {
        case 200: return ServiceReport(service: service, outcome: .up, latency: reply.latency)
        case 503:
            let failing = reply.failingChecks
            return ServiceReport(service: service, outcome: .degraded(failing.isEmpty ? "unhealthy" : "failing: " + failing.joined(separator: ", ")),
                                 latency: reply.latency)
        default: return ServiceReport(service: service, outcome: .down("HTTP \(reply.status)"), latency: reply.latency)
        }
    }

    /// The queue's figures from vp-node's metrics; `nil` when `/metrics` does not answer.
    static func queueFigures(base: URL, timeout: Duration, client: NodeClient) async -> QueueFigures? {
        var request = NodeRequest(node: "vp-node", base: base, path: "/metrics", timeout: timeout)
        request.maxBodyBytes = 8 << 20
        // No figures is an answer of its own: the verdict then says the dead-letter count is unknown.
        guard let reply = try? await client.send(request), reply.status == 200 else { return nil }
        return QueueFigures(metrics: reply.text)
    }
}

/// What `nsctl health` reads from vp-node's `/metrics`.
struct QueueFigures: Sendable, Equatable {
    /// The sum of `ns_queue_jobs{state="dead_letter"}`; `nil` when no such series is there.
    var deadLetters: Int?
    /// `ns_queue_store_bytes` and `ns_queue_store_limit_bytes` (0: the store has no limit).
    var storeBytes: Double?
    var storeLimitBytes: Double?

    init(metrics text: String) {
        var dead = 0.0
        var seen = false
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            if line.hasPrefix("ns_queue_jobs{") && line.contains("state=\"dead_letter\"") {
                dead += value
                seen = true
            } else if line.hasPrefix("ns_queue_store_bytes ") {
                storeBytes = value
            } else if line.hasPrefix("ns_queue_store_limit_bytes ") {
                storeLimitBytes = value
            }
        }
        deadLetters = seen ? Int(dead) : nil
    }

    /// How full the store is, in percent of its limit; `nil` when it has none or it is unknown.
    var storePercent: Double? {
        guard let storeBytes, let storeLimitBytes, storeLimitBytes > 0 else { return nil }
        return storeBytes * 100 / storeLimitBytes
    }
}
