import NSCore

extension HostAssembly {
    /// admin-node: its database (audit trail and sessions), the audit-head anchoring, then its application.
    mutating func addAdminNode() async throws(ConfigurationError) {
        let database = try openDatabase(settings.adminDatabasePath, variable: "--data-dir", owner: .admin, schema: AdminSchema.register)
        let store = SQLiteAdminStore(pool: database.pool)
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
