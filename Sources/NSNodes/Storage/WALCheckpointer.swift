import GRDB
import GRDBSQLite
import Logging

/// Moves WAL checkpoints out of the commits that happen to cross the threshold.
///
/// SQLite's automatic checkpoint runs inside the commit that makes the WAL reach
/// `wal_autocheckpoint` pages: that one commit copies 32 MiB into the database file and fsyncs
/// it while every other writer waits, which is the gateway's p99. Here a WAL hook on each
/// connection only signals when the WAL reaches `threshold` pages; a background task then copies
/// the WAL from a connection of its own (PASSIVE: writers go on committing meanwhile) and, last,
/// copies the few pages committed during that pass from the writer, so the next commit starts
/// the WAL from the beginning again. If the WAL still reaches `hardLimit` pages (the background
/// task starved), the committing connection checkpoints itself, as SQLite would: the WAL stays
/// bounded whatever happens.
///
/// Durability is unchanged: a commit is durable once its WAL frames are fsynced
/// (`synchronous=FULL`); checkpoints only move pages into the main file.
final class WALCheckpointer: Sendable {
    /// A checkpoint of the database `name` on `connection`, answering an SQLite result code.
    typealias Checkpoint = @Sendable (_ connection: OpaquePointer?, _ name: UnsafePointer<CChar>?) -> Int32

    let threshold: Int32
    let hardLimit: Int32
    /// The committing connection's own checkpoint past ``hardLimit``. Tests replace it to act out
    /// another connection checkpointing at that moment.
    let ownCheckpoint: Checkpoint
    /// Where a failed background pass is counted and logged.
    let internalErrors: InternalErrors
    private let requests: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    /// `internalErrors`: by default logged to the process's log and counted nowhere.
    init(threshold: Int32 = 8_192, hardLimit: Int32 = 32_768, internalErrors: InternalErrors? = nil,
         ownCheckpoint: @escaping Checkpoint = { sqlite3_wal_checkpoint_v2($0, $1, SQLITE_CHECKPOINT_PASSIVE, nil, nil) }) {
        self.threshold = threshold
        self.hardLimit = hardLimit
        self.ownCheckpoint = ownCheckpoint
        self.internalErrors = internalErrors ?? InternalErrors(metrics: nil, logger: Logger(label: "nsd"))
        (requests, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Replaces the connection's automatic checkpoint with this object's hook. Call it from
    /// `prepareDatabase`, for every connection (readers never commit, so their hook never runs).
    func install(on db: Database) {
        // The hook's context must stay valid while any connection may call it, and connections
        // can outlive this object (the pool is shared with queues and stores): each connection
        // holds a reference that is never released, so one small object per database stays.
        let context = Unmanaged.passRetained(self).toOpaque()
        sqlite3_wal_hook(db.sqliteConnection, { context, connection, name, pages in
            guard let context else { return SQLITE_OK }
            let checkpointer = Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue()
            if pages >= checkpointer.hardLimit {
                // What SQLite's default hook does: a checkpoint by the committing connection, whose
                // outcome it ignores. The commit has already happened; a code returned here would
                // make COMMIT report an error anyway (SQLITE_BUSY whenever the background pass is
                // running), and the caller would treat a committed write as failed.
                _ = checkpointer.ownCheckpoint(connection, name)
            }
            if pages >= checkpointer.threshold { checkpointer.signal.yield() }
            return SQLITE_OK
        }, context)
    }

    /// Background passes made at most before the writer's pass.
    static let maxBackgroundPasses = 4
    /// A background pass that copied fewer frames than this leaves a tail short enough for the
    /// writer to copy at once.
    static let shortPass = 1_024

    /// Checkpoints whenever the hook asks, until `stop()`. `checkpointing` is a connection of
    /// its own to the same file; `pool` is the database's pool, for the last short pass.
    ///
    /// A pass copies the frames committed before it started. Commits go on meanwhile, so the
    /// background connection passes again, each pass shorter than the last, until one copies
    /// fewer than ``shortPass`` frames (or after ``maxBackgroundPasses``). Only then does the
    /// writer copy the rest, holding every commit for that short while; doing it right after the
    /// first long pass held commits for tens of milliseconds.
    func run(checkpointing: DatabaseQueue, pool: DatabasePool) async {
        for await _ in requests {
            do {
                var copiedBefore = 0
                for _ in 0..<Self.maxBackgroundPasses {
                    let pass = try await checkpointing.writeWithoutTransaction { try $0.checkpoint(.passive) }
                    // Counts restart with the WAL: a smaller count means a new WAL, all of it copied.
                    let copied = pass.checkpointedFrameCount - min(copiedBefore, pass.checkpointedFrameCount)
                    copiedBefore = pass.checkpointedFrameCount
                    if copied < Self.shortPass { break }
                }
                _ = try await pool.writeWithoutTransaction { try $0.checkpoint(.passive) }
            } catch {
                // A failed pass (disk full, I/O error) leaves the WAL to grow until the next request
                // or the hard limit; nothing committed is at risk, but a WAL that is never copied
                // keeps growing, so the operator hears of it. At shutdown the pass ends with the
                // cancellation: nothing to report.
                if !Task.isCancelled {
                    internalErrors.record(.walCheckpoint, reason: NodeDatabase.describe(error), metadata: ["database": .string(pool.path)])
                }
            }
        }
    }

    func stop() {
        signal.finish()
    }
}

extension InternalErrors.Operation {
    static let walCheckpoint = Self(label: "wal_checkpoint",
                                    message: "a background WAL checkpoint failed; the WAL grows until a later pass or the hard limit copies it")
}
