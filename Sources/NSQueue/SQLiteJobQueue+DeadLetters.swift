import Foundation
import GRDB

extension SQLiteJobQueue {
    public func deadLetters(type: String?, limit: Int, after: String?) async throws(JobQueueError) -> [Job] {
        try await list(.deadLetter, type: type, limit: limit, after: after)
    }

    public func jobs(in state: JobState, limit: Int, after: String?) async throws(JobQueueError) -> [Job] {
        try await list(state, type: nil, limit: limit, after: after)
    }

    private func list(_ state: JobState, type: String?, limit: Int, after: String?) async throws(JobQueueError) -> [Job] {
        try await read { db in
            var sql = "SELECT \(JobRow.columns) FROM jobs WHERE state = ?"
            var arguments: StatementArguments = [state.rawValue]
            if let type {
                sql += " AND type = ?"
                arguments += [type]
            }
            if let after {
                sql += " AND seq > (SELECT seq FROM jobs WHERE id = ?)"
                arguments += [after]
            }
            sql += " ORDER BY seq LIMIT ?"
            arguments += [max(1, min(limit, 1_000))]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(JobRow.decode)
        }
    }

    public func retryDeadLetters(_ selection: DeadLetterSelection) async throws(JobQueueError) -> Int {
        let now = clock.nowMs()
        return try await write { db in
            let (filter, arguments) = Self.filter(selection)
            try db.execute(sql: "UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?, updated_at = ? WHERE state = 'dead_letter' AND \(filter)",
                           arguments: [now, now] + arguments)
            return db.changesCount
        }
    }

    public func purgeDeadLetters(_ selection: DeadLetterSelection) async throws(JobQueueError) -> Int {
        try await write { db in
            let (filter, arguments) = Self.filter(selection)
            try db.execute(sql: "DELETE FROM jobs WHERE state = 'dead_letter' AND \(filter)", arguments: arguments)
            return db.changesCount
        }
    }

    static func filter(_ selection: DeadLetterSelection) -> (String, StatementArguments) {
        switch selection {
        case .ids(let ids):
            guard !ids.isEmpty else { return ("0", []) }
            return ("id IN (\(ids.map { _ in "?" }.joined(separator: ",")))", StatementArguments(ids))
        case .all(let type):
            return type.map { ("type = ?", [$0]) } ?? ("1", [])
        case .olderThan(let time):
            return ("updated_at < ?", [time])
        }
    }
}
