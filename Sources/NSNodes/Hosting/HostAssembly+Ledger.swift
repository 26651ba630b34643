import Logging
import NSCore
import NSLedger
import NSPostgres

extension HostAssembly {
    /// ns-node: the ledger store (PostgreSQL with `DATABASE_URL`, else the SQLite file at
    /// `DB_PATH`), then its application.
    mutating func addLedgerNode() async throws(ConfigurationError) {
        let store: any LedgerStore
        let storeCheck: DependencyCheck
        let checkpointKey: LedgerKey
        if let database = try sharedDatabase() {
            checkpointKey = try keys.checkpointKey()
            store = try await Self.openLedger(database, settings: try ledgerStoreSettings(checkpointKey: checkpointKey))
            storeCheck = .postgres(database)
            LedgerFileNotice.warnIfIgnored(settings.ledgerDatabasePath, logger: makeLogger(NodeRole.ns.serviceName))
        } else {
            let database = try openDatabase(settings.ledgerDatabasePath, variable: "DB_PATH", owner: .ns, writerCacheMiB: 64,
                                            schema: LedgerSchema.register)
            checkpointKey = try keys.checkpointKey()
            store = try Self.openLedger(database, settings: settings, storeSettings: try ledgerStoreSettings(checkpointKey: checkpointKey))
            storeCheck = database.check()
        }
        let metrics = metrics(.ns)
        var witnessing: CheckpointWitnessing?
        if !settings.ledger.witnesses.isEmpty {
            let service = CheckpointWitnessing(peers: settings.ledger.witnesses, reader: store.reader, origin: settings.ledger.origin,
                                               checkpointKey: checkpointKey.publicKey, metrics: metrics, logger: makeLogger(NodeRole.ns.serviceName))
            add(service)
            witnessing = service
        }
        await Self.announceLedger(store.reader, origin: settings.ledger.origin, checkpointPublicKey: checkpointKey.publicKey.base64,
                                  logger: makeLogger(NodeRole.ns.serviceName), internalErrors: metrics.internalErrors, metrics: metrics)
        try addApplication(.ns, blueprint: LedgerNode.blueprint(storeCheck: storeCheck, store: store, internalToken: try internalToken,
                                                                  previousInternalToken: settings.internalTokenPrevious, metrics: metrics,
                                                                  witnessing: witnessing),
                       bound: settings.nsNodeURLs == nil ? nsAddress : nil)
    }

    private func ledgerStoreSettings(checkpointKey: LedgerKey) throws(ConfigurationError) -> LedgerStoreSettings {
        LedgerStoreSettings(origin: settings.ledger.origin, checkpointKey: checkpointKey,
                            genesisValidators: try keys.genesisValidators(), mempoolMax: settings.ledger.mempoolMax)
    }

    /// Logs that the ledger is open, with its log size, and sets the ledger gauges (height, log
    /// size, mempool) from its head, so a restarted node reports them before its first block.
    /// The size is read only for this line: when the read fails the line leaves it out (rather
    /// than claim 0) and the failure is reported; so is a head that cannot be read.
    static func announceLedger(_ reader: any LedgerReader, origin: String, checkpointPublicKey: String, logger: Logger,
                               internalErrors: InternalErrors, metrics: NodeMetrics? = nil) async {
        var metadata: Logger.Metadata = ["origin": .string(origin), "checkpointPublicKey": .string(checkpointPublicKey)]
        do {
            metadata["logSize"] = .stringConvertible(try await reader.logSize())
        } catch {
            internalErrors.record(.readLogSize, reason: describe(error))
        }
        if let metrics {
            do {
                let head = try await reader.head()
                LedgerMetrics(factory: metrics.factory).update(tip: head.header, pending: head.pendingCount)
            } catch {
                internalErrors.record(.readHead, reason: describe(error))
            }
        }
        logger.info("ledger ready", metadata: metadata)
    }

    private static func describe(_ error: any Error) -> String {
        (error as? PostgresDatabaseError)?.description ?? NodeDatabase.describe(error)
    }

    private static func openLedger(_ database: NodeDatabase, settings: DaemonSettings,
                                   storeSettings: LedgerStoreSettings) throws(ConfigurationError) -> SQLiteLedgerStore {
        do {
            let store = try SQLiteLedgerStore(pool: database.pool, settings: storeSettings)
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
    static let readHead = Self(label: "ledger_head", message: "the ledger's head could not be read at startup, so its gauges wait for the first block")
}
