import Foundation
import NSCore
import NSNodeClient

/// admin-node's two calls to ns-node for its audit anchors (``AuditAnchor``): the newest anchor
/// (`GET /v1/jobs/audit-head-admin-node/tx?prefer=pending`, a public read) and a new one
/// (`POST /tx` with the internal token, through vp-node's ``LedgerCalls``).
struct AuditAnchorLedger: Sendable {
    let nsNode: PeerAddress
    let token: Secret
    var timeout: Duration = .seconds(5)
    /// Fails at once on a refused connection: an ns-node that is down costs a round nothing.
    var client = NodeClient.nodeFailingFast

    /// Why a call did not do its job; ``reason`` is the metric label.
    enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// ns-node did not answer, or answered 429 or 5xx: tried again next round.
        case unreachable(String)
        /// ns-node refused the anchor (another 4xx): a wrong `INTERNAL_TOKEN`, or a bug.
        case refused(String)
        /// The ledger's newest transaction under the anchors' job id is no anchor: nothing is
        /// anchored over it, since it hides the anchors before it from the lookup.
        case notAnAnchor(String)

        var reason: String {
            switch self {
            case .unreachable: "unreachable"
            case .refused: "refused"
            case .notAnAnchor: "conflict"
            }
        }

        var description: String {
            switch self {
            case .unreachable(let detail), .refused(let detail), .notAnAnchor(let detail): detail
            }
        }
    }

    /// The newest anchored head, pending or committed; `nil` when the ledger holds none.
    func newest() async throws(Failure) -> AuditAnchor.Anchored? {
        let path = "/v1/jobs/\(AuditAnchor.jobID)/tx?prefer=pending"
        let reply: NodeReply
        do {
            reply = try await client.send(to: nsNode, node: "ns-node", path: path, timeout: timeout, requestID: RequestID.generate())
        } catch {
            throw .unreachable(error.description)
        }
        switch reply.status {
        case 200: break
        case 404: return nil
        default: throw .unreachable("ns-node answered HTTP \(reply.status) to GET \(path)")
        }
        let answer: JSONValue
        do {
            answer = try CanonicalJSON.decode(reply.body)
        } catch {
            throw .unreachable("ns-node answered GET \(path) with invalid JSON (\(error))")
        }
        guard let anchored = AuditAnchor.anchored(inLookup: answer) else {
            throw .notAnAnchor("the ledger's newest transaction for job \(AuditAnchor.jobID) (\(answer["txHash"]?.stringValue ?? "no txHash")) is not an audit anchor")
        }
        return anchored
    }

    /// Hands `tx` to ns-node's mempool.
    func submit(_ tx: LedgerTransaction) async throws(Failure) {
        let reply: NodeReply
        do {
            reply = try await LedgerCalls(address: nsNode, token: token, timeout: timeout, client: client).submit([tx])
        } catch {
            throw .unreachable(error.description)
        }
        let (status, body) = (reply.status, reply.text)
        switch status {
        case 200..<300: return
        case 429, 500...: throw .unreachable("ns-node answered HTTP \(status) to POST /tx")
        default: throw .refused("ns-node refused the anchor (HTTP \(status)): \(body.prefix(300))")
        }
    }
}
