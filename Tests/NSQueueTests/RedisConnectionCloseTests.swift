import Foundation
import NSTestSupport
import Testing
@testable import NSQueue

/// A command written just as its connection closes (Redis shutting down, a timeout closing it)
/// must still get an answer. Its write then lands on a closed channel and never reaches the reply
/// router; without its own failure path the caller would wait forever, deaf to cancellation,
/// and hold up a graceful shutdown.
@Suite("RESP connection closing under a caller")
struct RedisConnectionCloseTests {
    @Test("a command sent while its connection is closing fails with a connection error instead of hanging")
    func sendDuringClose() async throws {
        let redis = try await RedisServer()
        let configuration = try RedisConfiguration(url: URL(string: redis.url)!)
        let attempts = 50
        let answered = AnswerCount()
        for _ in 0..<attempts {
            let connection = try await RedisConnection.connect(configuration)
            #expect(try await connection.send([["PING"]]) == [.simpleString("PONG")])
            // The close is queued on the event loop; the channel still reads as active, so the
            // write below is queued behind the close.
            connection.close()
            Task {
                do {
                    _ = try await connection.send([["PING"], ["PING"]])
                } catch let error as RedisError {
                    if case .connection = error {} else { Issue.record("unexpected error: \(error)") }
                } catch {
                    Issue.record("unexpected error: \(error)")
                }
                await answered.add()
            }
        }
        // Unanswered callers cannot be cancelled, so wait for them by polling, with a bound far
        // beyond what fifty local round trips take.
        for _ in 0..<300 {
            if await answered.value == attempts { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(await answered.value == attempts, "every caller got an answer")
        await redis.stop()
    }
}

private actor AnswerCount {
    private(set) var value = 0
    func add() { value += 1 }
}
