import NIOCore
import NSCore
import NSLedger
import PostgresNIO

extension PostgresLedgerStore {
    /// Records a change of the validator set taking effect at the tip's height + 1, and answers
    /// only once it committed. The height is read under the head row's lock, which every append
    /// takes too, so no block slips in between choosing it and recording it; the change then
    /// moves the head's `validators_seq`, which tells every node's append to reload its schedule.
    /// Refused, with nothing recorded, by the same rules as on SQLite (``ValidatorSchedule/apply(_:at:)``).
    public func changeValidators(_ request: ValidatorChange.Request, requestedBy: String) async throws(ValidatorChangeError) -> ValidatorChange {
        let (time, logger) = (now(), database.queryLogger)
        let known = hint.withLock { $0 }
        do {
            let change = try await database.write { connection -> ValidatorChange in
                let head = try await connection.query("SELECT height, validators_seq FROM ledger.head WHERE id = 1 FOR UPDATE", logger: logger)
                var tip: (height: Int64, validatorsSeq: Int64)?
                for try await row in head.decode((Int64, Int64).self) { tip = row }
                guard let tip else { throw LedgerError.storage("ledger.head has no row") }
                var schedule: ValidatorSchedule
                if let known, known.validatorsSeq == tip.validatorsSeq {
                    schedule = known.schedule
                } else {
                    schedule = try await PostgresValidatorLog.schedule(upTo: tip.validatorsSeq, connection, logger: logger)
                }
                let height = UInt64(tip.height) + 1
                let validator = try schedule.apply(request, at: height)
                let pending = ValidatorChange(seq: 0, action: request.action, validator: validator, effectiveHeight: height,
                                              requestedBy: requestedBy, time: time)
                let seq = try await PostgresValidatorLog.record(pending, connection, logger: logger)
                return ValidatorChange(seq: seq, action: pending.action, validator: validator, effectiveHeight: height,
                                       requestedBy: requestedBy, time: time)
            }
            hint.withLock { $0 = nil }  // the next append reads the new schedule
            return change
        } catch let error as ValidatorChangeError {
            throw error
        } catch {
            throw .storage(Self.describe(error))
        }
    }
}
