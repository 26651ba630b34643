/// admin-node (port 3000): the governance dashboard. Its own state (audit trail, sessions) is in
/// its database; the other nodes' health is shown on its pages, not folded into its own.
public enum AdminNode {
    public static func blueprint(database: NodeDatabase) -> NodeBlueprint {
        NodeBlueprint(checks: [database.check()])
    }
}
