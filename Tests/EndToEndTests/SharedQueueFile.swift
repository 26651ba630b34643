import GRDB
import NSQueue

/// The embedded queue file of a running nsd, opened by the test as a second process would: with a
/// busy timeout, since nsd's workers and checkpoints write to the same file at any moment and a
/// connection without one fails at once with "database is locked".
func sharedQueue(_ path: String) throws -> SQLiteJobQueue {
    var configuration = Configuration()
    configuration.busyMode = .timeout(10)
    return SQLiteJobQueue(pool: try DatabasePool(path: path, configuration: configuration))
}
