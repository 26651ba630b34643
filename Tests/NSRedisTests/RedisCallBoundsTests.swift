import Foundation
import NSTestSupport
import Testing
@testable import NSRedis

/// Every Redis call ends: a caller that waits forever on a reply is deaf to cancellation and holds
/// up the daemon's graceful shutdown (which then crashes it), and a stuck enqueue stalls the gateway.
@Suite("RESP calls that never wait forever")
struct RedisCallBoundsTests {
    /// A command written just as its connection closes (Redis shutting down, a timeout closing
    /// it) lands on a closed channel and never reaches the reply router; it must fail all the same.
    @Test("a command sent while its connection is closing fails with a connection error instead of hanging")
    func sendDuringClose() async throws {
        let redis = try await RedisServer()
        let configuration = try RedisConfiguration(url: URL(string: redis.url)!)
        let attempts = 20
        let answered = AnswerCount()
        for _ in 0..<attempts {
            let connection = try await RedisConnection.connect(configuration)
            #expect(try await connection.send([["PING"]]) == [.simpleString("PONG")])
            // Hold the event loop, so the close is queued and the channel still reads as active
            // when the command below is sent: its write is queued behind the close.
            let held = DispatchSemaphore(value: 0)
            connection.channel.eventLoop.execute { held.wait() }
            connection.close()
            let sent = Task {
                do {
                    _ = try await connection.send([["PING"], ["PING"]])
                } catch let error as RedisError {
                    if case .connection = error {} else { Issue.record("unexpected error: \(error)") }
                } catch {
                    Issue.record("unexpected error: \(error)")
                }
                await answered.add()
            }
            try await Task.sleep(for: .milliseconds(100))  // the command is sent meanwhile
            held.signal()
            _ = sent
        }
        // Unanswered callers cannot be cancelled, so wait for them by polling, with a bound far
        // beyond what twenty local round trips take.
        for _ in 0..<300 {
            if await answered.value == attempts { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(await answered.value == attempts, "every caller got an answer")
        await redis.stop()
    }

    @Test("a server that accepts the connection but never answers AUTH fails the call at the command deadline")
    func silentHandshake() async throws {
        // The kernel accepts connections into the backlog; no byte ever comes back.
        let silent = try SilentListener()
        let client = RedisClient(configuration: try RedisConfiguration(url: URL(string: "redis://:secret@127.0.0.1:\(silent.port)/2")!, poolSize: 1,
                                                                      connectTimeout: .seconds(2), commandTimeout: .seconds(1)))
        let answered = AnswerCount()
        let call = Task {
            do {
                _ = try await client.command(["PING"])
                Issue.record("a server that never answers cannot have answered PING")
            } catch {
                #expect(error as? RedisError == .timeout, "\(error)")
            }
            await answered.add()
        }
        for _ in 0..<300 {
            if await answered.value == 1 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(await answered.value == 1, "the call ended, well after its 1 s deadline at the latest")
        call.cancel()
        await client.shutdown()
        withExtendedLifetime(silent) {}
    }

    @Test("callers arriving together on an unconnected slot share one connection; none is left open behind them")
    func oneConnectionPerSlot() async throws {
        let redis = try await RedisServer()
        let client = RedisClient(configuration: try RedisConfiguration(url: URL(string: redis.url)!, poolSize: 1))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 { group.addTask { _ = try await client.command(["PING"]) } }
            try await group.waitForAll()
        }
        let observer = RedisClient(configuration: try RedisConfiguration(url: URL(string: redis.url)!, poolSize: 1))
        let clients = try await observer.command(["CLIENT", "LIST"]).string ?? ""
        // The observer's own connection plus the pool's one.
        #expect(clients.split(separator: "\n").count == 2, "\(clients)")
        await client.shutdown()
        await observer.shutdown()
        await redis.stop()
    }
}

private actor AnswerCount {
    private(set) var value = 0
    func add() { value += 1 }
}
