import Testing
@testable import NSQueue

/// Concurrent submissions share commits, and every submitter gets its own answer.
@Suite("group commits")
struct GroupCommitterTests {
    @Test("each of many concurrent submitters gets the answer for its own unit, over fewer commits than submissions")
    func answersInOrder() async {
        let commits = CommitLog()
        let committer = GroupCommitter<Int, Int> { units in
            await commits.record(units.count)
            try? await Task.sleep(for: .milliseconds(5))  // a commit takes a while, so submissions gather
            return units.map { .success($0 * 10) }
        }
        let answers = await withTaskGroup(of: (Int, Int?).self) { group in
            for unit in 0..<200 { group.addTask { (unit, try? await committer.submit(unit).get()) } }
            var answers: [Int: Int?] = [:]
            for await (unit, answer) in group { answers[unit] = answer }
            return answers
        }
        #expect(answers.count == 200 && answers.allSatisfy { $0.value == $0.key * 10 })
        let sizes = await commits.sizes
        #expect(sizes.reduce(0, +) == 200)
        #expect(sizes.count < 200, "submissions shared commits: \(sizes)")
    }

    @Test("a commit that answers fewer units than it was given fails the rest instead of stranding them")
    func shortCommit() async {
        let committer = GroupCommitter<Int, Int> { units in units.dropLast().map { .success($0) } }
        let outcome = await committer.submit(7)
        guard case .failure(.unavailable(let reason)) = outcome else {
            Issue.record("expected unavailable, got \(outcome)")
            return
        }
        #expect(reason.contains("0 of 1"))
    }
}

private actor CommitLog {
    private(set) var sizes: [Int] = []
    func record(_ size: Int) { sizes.append(size) }
}
