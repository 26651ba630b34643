import Foundation
import NSNodeClient

/// The `/health` probe other nodes run against ns-node: its own `/health` must answer 200.
public enum NSNodeCheck {
    public static func make(address: PeerAddress, client: NodeClient, timeout: Duration) -> DependencyCheck {
        DependencyCheck(name: "ns-node") { requestID in
            let reply: NodeReply
            do throws(NodeCallError) {
                reply = try await client.send(to: address, node: "ns-node", path: "/health", timeout: timeout, requestID: requestID)
            } catch {
                throw DependencyFailure(error.reason)
            }
            guard reply.status == 200 else { throw DependencyFailure("answered HTTP \(reply.status)") }
        }
    }
}
