import Foundation
import Logging
import NIOCore
import NSCore
import NSLedger
import PostgresNIO
import Synchronization

/// The ledger in a PostgreSQL database that several ns-nodes share.
///
/// Nothing in memory is trusted over the database: the database enforces one block per height,
/// a transaction committed once and the chain's links (``PostgresLedgerSchema``), and every write
/// runs in one transaction under the locks of the plan (the mempool advisory lock, then the
/// `ledger.head` row). The store keeps only a hint of the tip, to validate a block's signature
/// and roots outside the transaction; each append checks the hint against the locked head row
/// and reloads it when another node moved the tip.
public final class PostgresLedgerStore: LedgerStore {
    public let database: PostgresDatabase
    let settings: LedgerStoreSettings
    let now: @Sendable () -> Int64
    let postgresReader: PostgresLedgerReader
    let hint = Mutex<PostgresLedgerTip?>(nil)

    public var reader: any LedgerReader { postgresReader }

    /// Migrates the `ledger` schema and creates genesis on first use, both under the migration
    /// lock, so nodes opening one empty database together make one genesis. Refuses a database
    /// made for another origin, checkpoint key or genesis validator set: every ns-node on one
    /// database must share them.
    public static func open(database: PostgresDatabase, settings: LedgerStoreSettings,
                            now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) async throws -> PostgresLedgerStore {
        let logger = database.queryLogger
        try await PostgresLedgerSchema.migrator.migrate(database) { connection in
            try await PostgresLedgerGenesis.prepare(settings, connection, logger: logger)
        }
        return PostgresLedgerStore(database: database, settings: settings, now: now)
    }

    private init(database: PostgresDatabase, settings: LedgerStoreSettings, now: @escaping @Sendable () -> Int64) {
        self.database = database
        self.settings = settings
        self.now = now
        postgresReader = PostgresLedgerReader(database: database)
    }

    /// The tip hint, read from the database when there is none yet.
    func currentHint() async throws -> PostgresLedgerTip {
        if let known = hint.withLock({ $0 }) { return known }
        return try await reloadHint()
    }

    /// Reads the tip from the database and keeps it as the hint.
    func reloadHint() async throws -> PostgresLedgerTip {
        let logger = database.queryLogger
        let tip = try await database.snapshot { connection in try await PostgresLedgerTip.load(connection, logger: logger) }
        hint.withLock { $0 = tip }
        return tip
    }

    static func describe(_ error: any Error) -> String {
        PostgresFailure.describe(error)
    }
}

/// The rows the `ledger` schema starts with, and the check that a database already holding them
/// belongs to this node's chain.
enum PostgresLedgerGenesis {
    static func prepare(_ settings: LedgerStoreSettings, _ connection: PostgresConnection, logger: Logger) async throws {
        let genesis = Genesis.header(validators: settings.genesisValidators)
        let keyID = Hex.encode(Checkpoint.keyID(name: settings.checkpointKey.name, publicKey: settings.checkpointKey.publicKey))
        let rows = try await connection.query("SELECT origin, checkpoint_key_id, genesis_hash FROM ledger.meta WHERE id = 1", logger: logger)
        for try await (origin, storedKeyID, genesisHash) in rows.decode((String, String, ByteBuffer).self) {
            guard origin == settings.origin else {
                throw ConfigurationError(variable: "LEDGER_ORIGIN", problem: "is \(settings.origin), but the ledger in DATABASE_URL was made for \(origin)",
                                         fix: "give every ns-node on one database the same LEDGER_ORIGIN")
            }
            guard storedKeyID == keyID else {
                throw ConfigurationError(variable: "NS_SIGNING_KEY", problem: "is not the key that signs the checkpoints of the ledger in DATABASE_URL",
                                         fix: "give every ns-node on one database the same NS_SIGNING_KEY")
            }
            guard MerkleHash(buffer: genesisHash) == genesis.hash else {
                throw ConfigurationError(variable: "VALIDATOR_PUBLIC_KEYS", problem: "gives another genesis validator set than the ledger in DATABASE_URL",
                                         fix: "give every ns-node on one database the same VALIDATOR_PUBLIC_KEYS")
            }
            return
        }
        try await connection.query("""
            INSERT INTO ledger.meta (id, origin, checkpoint_key_id, genesis_hash) VALUES (1, \(settings.origin), \(keyID), \(genesis.hash.buffer))
            """, logger: logger)
        try await connection.query(PostgresLedgerRows.insertBlock(genesis, txCount: 0), logger: logger)
        for validator in settings.genesisValidators {
            try await connection.query("""
                INSERT INTO ledger.validators (id, name, public_key, added_height)
                VALUES (\(validator.id), \(validator.name), \(ByteBuffer(bytes: validator.publicKey.raw)), 0)
                """, logger: logger)
        }
        let note = Checkpoint(origin: settings.origin, size: 0, root: MerkleTree.emptyRoot).signed(with: settings.checkpointKey)
        try await connection.query("INSERT INTO ledger.checkpoints (log_size, note) VALUES (0, \(note))", logger: logger)
        try await connection.query("INSERT INTO ledger.head (id, height, hash, validators_seq) VALUES (1, 0, \(genesis.hash.buffer), 0)", logger: logger)
        try await connection.query("INSERT INTO ledger.mempool_stats (id, count) VALUES (1, 0)", logger: logger)
    }
}
