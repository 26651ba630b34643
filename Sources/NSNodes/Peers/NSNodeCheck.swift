import Foundation

/// The `/health` probe other nodes run against ns-node: its own `/health` must answer 200.
public enum NSNodeCheck {
    public static func make(address: PeerAddress, client: NodeHTTPClient, timeout: Duration) -> DependencyCheck {
        DependencyCheck(name: "ns-node") { requestID in
            let reply = try await client.get(await address.url(), path: "/health", requestID: requestID, timeout: timeout)
            guard reply.status == 200 else { throw DependencyFailure("answered HTTP \(reply.status)") }
        }
    }
}
