import NSCore

/// The validator log's replay rule, whichever database stores the log: the genesis set, then each
/// recorded change applied in `seq` order by the rules that accepted it. The store refuses to
/// open on a log that does not replay; the audit reports where it stops replaying.
public enum ValidatorLog {
    /// A log entry that cannot be replayed: where, and why.
    public struct Inconsistency: Error, Equatable, CustomStringConvertible {
        public let height: UInt64
        public let reason: String

        public var description: String { "validator_changes is inconsistent at height \(height): \(reason)" }
    }

    /// Replays `changes` (each with the validator id its row stores) over `genesis` up to the first
    /// inconsistency, if any, and returns the schedule got so far with it: the audit can then
    /// check the blocks below that height before reporting it, and so name the first bad height
    /// whichever of the two it is. A stored id that is not its key's, or a change the rules
    /// refuse, is an inconsistency.
    public static func replay(genesis: [Validator], changes: [(storedID: String, change: ValidatorChange)])
        -> (schedule: ValidatorSchedule, inconsistency: Inconsistency?) {
        var schedule = ValidatorSchedule(genesis: genesis)
        for (storedID, change) in changes {
            guard storedID == change.validator.id else {
                return (schedule, Inconsistency(height: change.effectiveHeight, reason: "change \(change.seq) names an id that is not its key's"))
            }
            do throws(ValidatorChangeError) {
                try schedule.apply(change.request, at: change.effectiveHeight)
            } catch {
                return (schedule, Inconsistency(height: change.effectiveHeight, reason: "change \(change.seq): \(error)"))
            }
        }
        return (schedule, nil)
    }
}
