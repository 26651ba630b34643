import Logging
import NSCore
import NSLedger

extension HostAssembly {
    /// ns-node: the ledger database and store, then its application.
    mutating func addLedgerNode() throws(ConfigurationError) {
        let database = try openDatabase(settings.ledgerDatabasePath, variable: "DB_PATH", owner: .ns, writerCacheMiB: 64,
                                        schema: LedgerSchema.register)
        let checkpointKey = try keys.checkpointKey()
        let store = try Self.openLedger(database, settings: settings, checkpointKey: checkpointKey, validators: try keys.genesisValidators())
        let metrics = metrics(.ns)
        Self.announceLedger(store.sqliteReader, origin: settings.ledger.origin, checkpointPublicKey: checkpointKey.publicKey.base64,
                            logger: makeLogger(NodeRole.ns.serviceName), internalErrors: metrics.internalErrors)
        try addApplication(.ns, blueprint: LedgerNode.blueprint(database: database, store: store, internalToken: internalToken,
                                                                  previousInternalToken: settings.internalTokenPrevious, metrics: metrics),
                       bound: settings.nsNodeURLs == nil ? nsAddress : nil)
    }

    /// Logs that the ledger is open, with its log size. The size is read only for this line: when
    /// the read fails the line leaves it out (rather than claim 0) and the failure is reported.
    static func announceLedger(_ reader: SQLiteLedgerReader, origin: String, checkpointPublicKey: String, logger: Logger, internalErrors: InternalErrors) {
        var metadata: Logger.Metadata = ["origin": .string(origin), "checkpointPublicKey": .string(checkpointPublicKey)]
        do {
            metadata["logSize"] = .stringConvertible(try reader.logSize())
        } catch {
            internalErrors.record(.readLogSize, reason: NodeDatabase.describe(error))
        }
        logger.info("ledger ready", metadata: metadata)
    }

    private static func openLedger(_ database: NodeDatabase, settings: DaemonSettings, checkpointKey: LedgerKey,
                                   validators: [Validator]) throws(ConfigurationError) -> SQLiteLedgerStore {
        let ledgerSettings = LedgerStoreSettings(origin: settings.ledger.origin, checkpointKey: checkpointKey,
                                                 genesisValidators: validators, mempoolMax: settings.ledger.mempoolMax)
        do {
            let store = try SQLiteLedgerStore(pool: database.pool, settings: ledgerSettings)
            if let configured = settings.ledger.validators,
               Set(configured.map(\.id)) != Set(try store.sqliteReader.validators().filter { $0.addedHeight == 0 }.map(\.validator.id)) {
                Logger(label: NodeRole.ns.serviceName).warning(
                    "VALIDATOR_PUBLIC_KEYS differs from the validator set stored at genesis; the stored set stays in force (it changes only through governance)")
            }
            return store
        } catch {
            throw ConfigurationError(variable: "DB_PATH", problem: "names a ledger that cannot be loaded (\(NodeDatabase.describe(error)))",
                                     fix: "check the file, or restore it from a backup")
        }
    }
}

extension InternalErrors.Operation {
    static let readLogSize = Self(label: "ledger_log_size", message: "the ledger's log size could not be read at startup")
}
