import NSCore
import NSLedger

/// ns-node (port 3009): the ledger. It calls no other node; its health is its database's.
public enum LedgerNode {
    /// `previousInternalToken`: `INTERNAL_TOKEN_PREVIOUS`, accepted on the internal routes during a rotation.
    public static func blueprint(database: NodeDatabase, store: any LedgerStore, internalToken: Secret, previousInternalToken: Secret? = nil,
                                 metrics: NodeMetrics) -> NodeBlueprint {
        let routes = LedgerRoutes(store: store, metrics: LedgerMetrics(factory: metrics.factory))
        return NodeBlueprint(checks: [database.check()]) { router in
            routes.add(to: router, internalToken: internalToken, previousInternalToken: previousInternalToken)
        }
    }
}
