/// gateway-node (port 8080): the client API. It enqueues into the job queue (the SQLite store
/// shared with vp-node, or Redis when configured) and reads ledger data from ns-node.
public enum GatewayNode {
    public static func blueprint(queue: NodeDatabase?, nsNode: DependencyCheck, redis: DependencyCheck?) -> NodeBlueprint {
        var checks = [nsNode]
        if let queue {
            let store = queue.check()
            checks.append(DependencyCheck(name: "queue", probe: store.probe))
        }
        if let redis { checks.append(redis) }
        return NodeBlueprint(checks: checks)
    }
}
