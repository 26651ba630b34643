import NSCore
import NSLedger

/// ns-node (port 3009): the ledger. It calls no other node; its health is its database's
/// (SQLite or PostgreSQL).
public enum LedgerNode {
    /// `previousInternalToken`: `INTERNAL_TOKEN_PREVIOUS`, accepted on the internal routes during a rotation.
    public static func blueprint(database: NodeDatabase, store: any LedgerStore, internalToken: Secret, previousInternalToken: Secret? = nil,
                                 metrics: NodeMetrics) -> NodeBlueprint {
        blueprint(storeCheck: database.check(), store: store, internalToken: internalToken, previousInternalToken: previousInternalToken, metrics: metrics)
    }

    /// `storeCheck`: `/health`'s probe of the store's database, whichever engine holds it.
    /// `witnessing` (`WITNESSES`): woken by each append; the checkpoint routes serve its cosignatures.
    public static func blueprint(storeCheck: DependencyCheck, store: any LedgerStore, internalToken: Secret, previousInternalToken: Secret? = nil,
                                 metrics: NodeMetrics, witnessing: CheckpointWitnessing? = nil) -> NodeBlueprint {
        let routes = LedgerRoutes(store: store, metrics: LedgerMetrics(factory: metrics.factory), witnessing: witnessing)
        return NodeBlueprint(checks: [storeCheck]) { router in
            routes.add(to: router, internalToken: internalToken, previousInternalToken: previousInternalToken)
        }
    }
}
