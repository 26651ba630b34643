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

    @Test("no more than maxInFlight commits run at once, and submissions arriving as commits end are all answered")
    func inFlightLimit() async {
        let gauge = InFlightGauge()
        let committer = GroupCommitter<Int, Int>(maxInFlight: 2) { units in
            await gauge.enter()
            try? await Task.sleep(for: .microseconds(Int.random(in: 0...300)))
            await gauge.leave()
            return units.map { .success($0 + 1) }
        }
        for wave in 0..<20 {
            let answered = await withTaskGroup(of: Bool.self) { group in
                for unit in 0..<50 {
                    group.addTask {
                        try? await Task.sleep(for: .microseconds(Int.random(in: 0...500)))
                        return (try? await committer.submit(wave * 100 + unit).get()) == wave * 100 + unit + 1
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(answered == 50)
        }
        #expect(await gauge.peak <= 2)
        #expect(await gauge.peak >= 1)
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

private actor InFlightGauge {
    private var current = 0
    private(set) var peak = 0
    func enter() {
        current += 1
        peak = max(peak, current)
    }
    func leave() { current -= 1 }
}

private actor CommitLog {
    private(set) var sizes: [Int] = []
    func record(_ size: Int) { sizes.append(size) }
}
