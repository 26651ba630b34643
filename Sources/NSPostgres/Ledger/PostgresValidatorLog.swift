import Logging
import NIOCore
import NSCore
import NSLedger
import PostgresNIO

/// The validator tables in PostgreSQL: the genesis rows of `ledger.validators` and the
/// append-only `ledger.validator_changes`, replayed by the rules that accepted each change.
enum PostgresValidatorLog {
    /// The set genesis commits to, ordered by id (the commitment's own order).
    static func genesis(_ connection: PostgresConnection, logger: Logger) async throws -> [Validator] {
        let rows = try await connection.query("SELECT name, public_key FROM ledger.validators WHERE added_height = 0 ORDER BY id", logger: logger)
        return try await PostgresLedgerRows.all(rows) { row in
            let (name, key) = try row.decode((String, ByteBuffer).self)
            return Validator(name: name, publicKey: LedgerPublicKey(raw: key.byteArray))
        }
    }

    /// Recorded changes with `seq <= upTo`, oldest first (or the newest `limit`, newest first),
    /// each with the validator id its row stores.
    static func changes(_ connection: PostgresConnection, logger: Logger, upTo: Int64 = .max, newestFirst: Bool = false,
                        limit: Int = .max) async throws -> [(storedID: String, change: ValidatorChange)] {
        let rows = try await connection.query("""
            SELECT seq, height, action, validator_id, name, public_key, requested_by, time FROM ledger.validator_changes
            WHERE seq <= \(upTo) ORDER BY seq \(unescaped: newestFirst ? "DESC" : "ASC") LIMIT \(Int64(limit))
            """, logger: logger)
        return try await PostgresLedgerRows.all(rows) { row in
            let (seq, height, action, storedID, name, key, requestedBy, time) =
                try row.decode((Int64, Int64, String, String, String, ByteBuffer, String, Int64).self)
            let change = ValidatorChange(seq: seq, action: ValidatorChange.Action(rawValue: action) ?? .add,  // a CHECK allows only the two
                                         validator: Validator(name: name, publicKey: LedgerPublicKey(raw: key.byteArray)),
                                         effectiveHeight: UInt64(max(0, height)), requestedBy: requestedBy, time: time)
            return (storedID, change)
        }
    }

    /// The schedule recorded up to change `upTo` (``ValidatorLog/replay(genesis:changes:)``). A log
    /// the rules refuse is reported as a storage failure: the store cannot judge producers by it.
    static func schedule(upTo: Int64, _ connection: PostgresConnection, logger: Logger) async throws -> ValidatorSchedule {
        let (schedule, inconsistency) = ValidatorLog.replay(genesis: try await genesis(connection, logger: logger),
                                                            changes: try await changes(connection, logger: logger, upTo: upTo))
        if let inconsistency { throw LedgerError.storage(inconsistency.description) }
        return schedule
    }

    /// Appends `change` to the log and updates the summary row, inside the caller's transaction;
    /// returns its `seq`.
    static func record(_ change: ValidatorChange, _ connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        let (validator, height) = (change.validator, Int64(change.effectiveHeight))
        let key = ByteBuffer(bytes: validator.publicKey.raw)
        let rows = try await connection.query("""
            INSERT INTO ledger.validator_changes (height, action, validator_id, name, public_key, requested_by, time)
            VALUES (\(height), \(change.action.rawValue), \(validator.id), \(validator.name), \(key), \(change.requestedBy), \(change.time))
            RETURNING seq
            """, logger: logger)
        var seq: Int64?
        for try await value in rows.decode(Int64.self) { seq = value }
        switch change.action {
        case .add:
            try await connection.query("""
                INSERT INTO ledger.validators (id, name, public_key, added_height) VALUES (\(validator.id), \(validator.name), \(key), \(height))
                """, logger: logger)
        case .remove:
            try await connection.query("UPDATE ledger.validators SET removed_height = \(height) WHERE id = \(validator.id)", logger: logger)
        }
        guard let seq else { throw LedgerError.storage("the validator change got no seq") }
        try await connection.query("UPDATE ledger.head SET validators_seq = \(seq) WHERE id = 1", logger: logger)
        return seq
    }
}
