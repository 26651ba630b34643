import Foundation

/// What nsd keeps under its data directory (`--data-dir`, `DATA_DIR`): one folder per node, named
/// as the seeds' compose volumes so a backup maps one-to-one onto them, the files in each, and
/// the secrets a development nsd generated. nsd, the development keys, and nsctl's backup,
/// restore, audit, chain and secret lookups all find their files here, so they cannot disagree.
public struct DataLayout: Sendable, Equatable {
    /// ns-node's folder: the ledger and its checkpoint key.
    /// Where `nsd` and nsctl keep (and look for) the data when neither `--data-dir` nor `DATA_DIR` says.
    public static let defaultDirectory = "./data"
    public static let nsNodeFolder = "ns-node-data"
    /// vp-node's folder: the embedded job queue (which a gateway on the same host shares) and
    /// the producer key.
    public static let vpNodeFolder = "vp-node-data"
    /// admin-node's folder: the audit trail and sessions.
    public static let adminNodeFolder = "admin-node-data"
    /// The witness's folder: what it last cosigned of each log.
    public static let witnessNodeFolder = "witness-node-data"
    /// The seeds' volume for Redis; not under the data directory, named for backups.
    public static let redisVolume = "redis-data"

    /// The ledger's file in ``nsNodeFolder`` (unless `DB_PATH` moves it).
    public static let ledgerDatabaseFile = "neuroswarm_chain.db"
    /// The embedded queue's file in ``vpNodeFolder``.
    public static let queueDatabaseFile = "queue.db"
    /// admin-node's file in ``adminNodeFolder``.
    public static let adminDatabaseFile = "admin.db"
    /// The witness's file in ``witnessNodeFolder``.
    public static let witnessDatabaseFile = "witness.db"
    /// ns-node's generated checkpoint key seed in ``nsNodeFolder`` (without `NS_SIGNING_KEY`).
    public static let checkpointKeyFile = "checkpoint.key"
    /// vp-node's generated producer key seed in ``vpNodeFolder`` (without `VP_SIGNING_KEY`).
    public static let producerKeyFile = "producer.key"

    /// The files, directly in the data directory, where a development nsd keeps each secret it
    /// was not given (0600, created once), by variable. nsctl reads the same files to talk to that nsd.
    public static let developmentSecretFiles: [String: String] = [
        "JWT_SECRET": "jwt-secret", "ADMIN_JWT_SECRET": "admin-jwt-secret", "SESSION_SECRET": "session-secret", "INTERNAL_TOKEN": "internal-token",
        "LEDGER_SUBMITTER_KEY": "ledger-submitter-key",
    ]

    /// The root every path here is under, as given (relative paths stay relative to the working folder).
    public let dataDirectory: String

    /// Paths only: nothing is created or checked until a caller opens them.
    public init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }

    /// `folder` under the data directory.
    public func folder(_ folder: String) -> String {
        (dataDirectory as NSString).appendingPathComponent(folder)
    }

    /// ns-node's ledger, where a `DB_PATH` does not move it.
    public var ledgerDatabase: String { file(Self.ledgerDatabaseFile, in: Self.nsNodeFolder) }
    /// The checkpoint key seed ns-node generated when `NS_SIGNING_KEY` was not given; nsctl pins its public half.
    public var checkpointKey: String { file(Self.checkpointKeyFile, in: Self.nsNodeFolder) }
    /// The embedded queue, shared by vp-node and a gateway on the same host.
    public var queueDatabase: String { file(Self.queueDatabaseFile, in: Self.vpNodeFolder) }
    /// The producer key seed vp-node generated when `VP_SIGNING_KEY` was not given.
    public var producerKey: String { file(Self.producerKeyFile, in: Self.vpNodeFolder) }
    /// admin-node's audit trail and sessions.
    public var adminDatabase: String { file(Self.adminDatabaseFile, in: Self.adminNodeFolder) }
    /// The witness's record of the latest checkpoint it cosigned per log.
    public var witnessDatabase: String { file(Self.witnessDatabaseFile, in: Self.witnessNodeFolder) }

    /// Where a development nsd keeps the secret `variable`; `nil` for a variable it never generates.
    public func developmentSecret(_ variable: String) -> String? {
        Self.developmentSecretFiles[variable].map(folder)
    }

    private func file(_ name: String, in folder: String) -> String {
        (self.folder(folder) as NSString).appendingPathComponent(name)
    }
}
