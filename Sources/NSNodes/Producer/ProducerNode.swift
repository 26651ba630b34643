/// vp-node (port 3002): queue workers and the block producer. It depends on the queue store,
/// on ns-node (where it sends transactions and blocks) and on Redis when the queue lives there.
public enum ProducerNode {
    public static func blueprint(queue: NodeDatabase, nsNode: DependencyCheck, redis: DependencyCheck?) -> NodeBlueprint {
        NodeBlueprint(checks: [queue.check(), nsNode] + (redis.map { [$0] } ?? []))
    }
}
