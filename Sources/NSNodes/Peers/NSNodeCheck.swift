import Foundation
import NSNodeClient

/// The `/health` probe other nodes run against ns-node: its own `/health` must answer 200. With
/// several ns-nodes listed (`NS_NODE_URL`) each is probed: the check passes while one answers,
/// and its detail names the ones that do not.
public enum NSNodeCheck {
    public static func make(address: PeerAddress, client: NodeClient, timeout: Duration) -> DependencyCheck {
        DependencyCheck.reporting(name: "ns-node") { requestID in
            let targets: NodeTargets
            do {
                targets = try await address.targets()
            } catch {
                throw DependencyFailure(NodeCallError.noAnswer(error).reason)
            }
            let failures = await withTaskGroup(of: (Int, String?).self) { group in
                for (index, base) in targets.urls.enumerated() {
                    group.addTask { (index, await Self.failure(of: base, client: client, timeout: timeout, requestID: requestID)) }
                }
                var failures: [Int: String] = [:]
                for await (index, failure) in group { failures[index] = failure }
                return failures
            }
            if targets.urls.count == 1, let only = failures[0] { throw DependencyFailure(only) }
            let down = targets.urls.indices.compactMap { index in failures[index].map { "\(NodeTargets.label(targets.urls[index])) (\($0))" } }
            if down.count == targets.urls.count { throw DependencyFailure("none of the \(down.count) ns-nodes answers: " + down.joined(separator: ", ")) }
            return down.isEmpty ? nil : "\(targets.urls.count - down.count) of \(targets.urls.count) ns-nodes answer; down: " + down.joined(separator: ", ")
        }
    }

    /// Why the ns-node at `base` is not healthy; `nil` when its `/health` answers 200.
    private static func failure(of base: URL, client: NodeClient, timeout: Duration, requestID: String) async -> String? {
        let reply: NodeReply
        do {
            reply = try await client.send(NodeRequest(node: "ns-node", base: base, path: "/health", timeout: timeout, requestID: requestID))
        } catch {
            return error.reason
        }
        return reply.status == 200 ? nil : "answered HTTP \(reply.status)"
    }
}
