import NSCore
import NSPostgres
import NSSQLite

extension HostAssembly {
    /// admin-node: its store (audit trail and sessions: PostgreSQL with `DATABASE_URL`, shared by
    /// every admin-node on that database, else admin.db in its data folder), the audit-head
    /// anchoring, then its application.
    mutating func addAdminNode() async throws(ConfigurationError) {
        let internalToken = try self.internalToken
        let store: any AdminStore
        if let database = try sharedDatabase() {
            store = try await Self.openAdminStore(database)
        } else {
            let database = try openDatabase(settings.adminDatabasePath, variable: "--data-dir", owner: .admin, schema: AdminSchema.register)
            store = SQLiteAdminStore(pool: database.pool)
        }
        let logger = makeLogger(NodeRole.admin.serviceName)
        let blueprint = await AdminNode.blueprint(
            store: store,
            settings: .init(adminSecret: try keys.adminJWTSecret(), adminSecretPrevious: settings.adminJWTSecretPrevious, sessionSecret: try keys.sessionSecret(), sessionSecretPrevious: settings.sessionSecretPrevious,
                            internalToken: internalToken,
                            secureCookies: settings.mode == .production || certificates[.admin] != nil, trustedProxies: settings.gateway.trustedProxies,
                            tokenMaxLifetime: settings.tokenMaxLifetime),
            gateway: gatewayAddress, nsNode: nsAddress, vpNode: vpAddress)
        add(AuditAnchorService(store: store, nsNode: nsAddress, internalToken: internalToken,
                               interval: settings.auditAnchorInterval, metrics: metrics(.admin), logger: logger))
        try addApplication(.admin, blueprint: blueprint, bound: nil)
    }
}
