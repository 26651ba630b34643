/// ns-node (port 3009): the ledger. It calls no other node; its health is its database's.
public enum LedgerNode {
    public static func blueprint(database: NodeDatabase) -> NodeBlueprint {
        NodeBlueprint(checks: [database.check()])
    }
}
