import AsyncHTTPClient
import Foundation
import NIOCore
import NSCore

/// The steady client of every scenario: submits one artifact every `interval` to the gateways in
/// turn and records what each answer was, so the verdict can hold the system to every 202.
actor Traffic {
    struct Accepted: Sendable {
        let id: String
        let content: String
        let gateway: String
    }

    private(set) var accepted: [Accepted] = []
    /// 503 with Retry-After: the honest answer while a dependency is down.
    private(set) var unavailable = 0
    /// Connection refused: the whole process was down (only expected when it was killed).
    private(set) var refused = 0
    /// Violations: 5xx other than a proper 503, 503 without Retry-After, a request that hung.
    private(set) var violations: [String] = []
    /// When each answer came and whether it was a 202, in order (one per request: bounded by the
    /// scenario's length), for the time from a fault to the first 202 again.
    private(set) var outcomes: [(at: ContinuousClock.Instant, accepted: Bool)] = []
    private var running = true
    private var sequence = 0

    let gateways: [String]
    let token: String
    let interval: Duration
    let client: HTTPClient

    init(gateways: [String], token: String, interval: Duration = .milliseconds(20), client: HTTPClient) {
        self.gateways = gateways
        self.token = token
        self.interval = interval
        self.client = client
    }

    func stop() { running = false }

    /// Runs until ``stop()``.
    func run() async {
        while running {
            await submitOne()
            try? await Task.sleep(for: interval)
        }
    }

    /// The longest stretch after `fault` in which no request was answered 202: the interruption
    /// the fault caused, whether requests failed (503) or hung until the failover. It starts at
    /// the fault or at a 202 after it and ends at the next 202; `nil` when no 202 came after the fault.
    func interruption(after fault: ContinuousClock.Instant) -> (from: ContinuousClock.Instant, to: ContinuousClock.Instant)? {
        var longest: (from: ContinuousClock.Instant, to: ContinuousClock.Instant)?
        var previous = fault
        for outcome in outcomes where outcome.accepted && outcome.at >= fault {
            if longest.map({ outcome.at - previous > $0.to - $0.from }) ?? true { longest = (previous, outcome.at) }
            previous = outcome.at
        }
        return longest
    }

    private func submitOne() async {
        let acceptedBefore = accepted.count
        defer { outcomes.append((ContinuousClock.now, accepted.count > acceptedBefore)) }
        sequence += 1
        let gateway = gateways[sequence % gateways.count]
        let content = "fault-injection artifact \(sequence) \(UUID().uuidString)"
        var request = HTTPClientRequest(url: gateway + "/api/submit")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: CanonicalJSON.encode(["content": .string(content)])))
        do {
            let response = try await client.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 1 << 20)
            let status = Int(response.status.code)
            switch status {
            case 202:
                if let id = (try? CanonicalJSON.decode(Array(buffer: body)))?["id"]?.stringValue {
                    accepted.append(Accepted(id: id, content: content, gateway: gateway))
                } else {
                    violations.append("202 without an id from \(gateway)")
                }
            case 503 where response.headers["Retry-After"].first != nil:
                unavailable += 1
            case 429:
                violations.append("429 from \(gateway): raise RATE_LIMIT_MAX_REQUESTS for the scenario")
            default:
                violations.append("HTTP \(status) from \(gateway): \(String(buffer: body).prefix(200))")
            }
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            violations.append("request to \(gateway) hung past 5 s")
        } catch {
            // The process is not there (killed on purpose, or restarting).
            refused += 1
        }
    }
}
