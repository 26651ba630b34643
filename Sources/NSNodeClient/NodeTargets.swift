import Foundation
import Synchronization

/// Interchangeable nodes one call may go to, in the operator's order (`NS_NODE_URL` listing
/// several ns-nodes over one database), and which of them answered last.
///
/// Calls go to the one that answered last first, so a node that is down costs one failed attempt
/// until another answers, not one on every call; it is tried again only when the one answering
/// now fails in turn. Shared by every caller of one setting, so what one call learns the others use.
public final class NodeTargets: Sendable {
    /// The base URLs, as listed; never empty.
    public let urls: [URL]
    private let preferred = Atomic<Int>(0)

    /// `urls` must not be empty (settings refuse an empty list before this is built).
    public init(_ urls: [URL]) {
        precondition(!urls.isEmpty, "NodeTargets needs at least one URL")
        self.urls = urls
    }

    /// The URL calls try first: the one that answered last (the first listed until then).
    public var preferredURL: URL { urls[preferred.load(ordering: .relaxed)] }

    /// The order a call tries them in: the one that answered last, then the others as listed.
    public var attemptOrder: [Int] {
        let first = preferred.load(ordering: .relaxed)
        return [first] + urls.indices.filter { $0 != first }
    }

    /// Records that the node at `index` answered: the next calls go there first.
    public func answered(at index: Int) {
        preferred.store(index, ordering: .relaxed)
    }

    /// `http://ns-b:3009`: a target as messages name it, without credentials, path or query.
    public static func label(_ url: URL) -> String {
        let host = url.host.map { $0.contains(":") ? "[\($0)]" : $0 } ?? "?"
        return "\(url.scheme ?? "http")://\(host)\(url.port.map { ":\($0)" } ?? "")"
    }

    /// Whether a call that failed with `error` moves on to the next node. A node that could not be
    /// reached (refused, unresolvable, no connection in time) never got the request: always. A
    /// node that took the request and did not answer in time may still carry it out: only when
    /// the call is `idempotent`, so that repeating it elsewhere does no harm.
    public static func triesNext(after error: NodeCallError, idempotent: Bool) -> Bool {
        switch error.failure {
        case .unreachable, .timedOut(connecting: true): true
        case .timedOut(connecting: false): idempotent
        case .problem, .unreadable: false
        }
    }

    /// Whether an answer moves on to the next node: a 503 (the node runs but cannot serve now,
    /// such as its database being away) for an `idempotent` call; any other answer is the caller's.
    public static func triesNext(after reply: NodeReply, idempotent: Bool) -> Bool {
        idempotent && reply.status == 503
    }
}

extension NodeClient {
    /// Sends the request `request` builds for a base URL to the node of `targets` that answered
    /// last, then to the others in order while ``NodeTargets/triesNext(after:idempotent:)`` says
    /// so, and keeps the one that answered for the next calls. The caller says whether the call is
    /// `idempotent`: a GET, or a POST the node deduplicates (`POST /tx`) or refuses when repeated
    /// (`POST /blocks/produce` answers 409); never a change that a repeat would apply twice.
    ///
    /// Each attempt has the request's own deadline, so a call to N nodes that all hang takes up to
    /// N deadlines. With several targets a refused connection moves on at once: ``standard``'s
    /// retries of a refused connection until the deadline are replaced by ``failFast``. When every
    /// node fails, the last one's answer or error is the call's.
    public func send(across targets: NodeTargets, idempotent: Bool,
                     _ request: (_ base: URL) -> NodeRequest) async throws(NodeCallError) -> NodeReply {
        let order = targets.attemptOrder
        let client = order.count > 1 && http === NodeClient.standard ? NodeClient(caller: caller, http: NodeClient.failFast) : self
        for (attempt, index) in order.enumerated() {
            let last = attempt == order.count - 1 || Task.isCancelled
            do {
                let reply = try await client.send(request(targets.urls[index]))
                if !last && NodeTargets.triesNext(after: reply, idempotent: idempotent) { continue }
                targets.answered(at: index)
                return reply
            } catch {
                if last || !NodeTargets.triesNext(after: error, idempotent: idempotent) { throw error }
            }
        }
        preconditionFailure("the last attempt returns or throws")
    }
}
