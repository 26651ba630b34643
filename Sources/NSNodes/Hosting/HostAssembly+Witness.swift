import Logging
import NSCore

extension HostAssembly {
    /// The witness: its state (`witness-node-data/witness.db`), then its application. It logs
    /// its verifier key at start, which logs and clients pin to check its cosignatures.
    mutating func addWitnessNode() throws(ConfigurationError) {
        guard let configured = settings.witness else {
            preconditionFailure("DaemonSettings.load sets witness whenever the roles include it")
        }
        let database = try openDatabase(settings.layout.witnessDatabase, variable: "--data-dir", owner: .witness, schema: WitnessSchema.register)
        let key = try configured.cosignerKey()
        let logger = makeLogger(NodeRole.witness.serviceName)
        let witness = Witness(key: key, logs: configured.logs, store: WitnessStore(pool: database.pool), logger: logger)
        logger.info("witness ready", metadata: [
            "name": .string(key.name), "verifierKey": .string(key.verifier.vkey),
            "logs": .array(configured.logs.map { .string($0.origin) }),
        ])
        try addApplication(.witness, blueprint: WitnessNode.blueprint(database: database, witness: witness, metrics: metrics(.witness)), bound: nil)
    }
}
