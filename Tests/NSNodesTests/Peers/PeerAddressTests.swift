import Foundation
import Testing
@testable import NSNodes

/// An in-process peer is known only once its listener binds. Callers wait for that, but a
/// listener that never binds (its port taken, or shutdown first) must not hold them forever.
@Suite("in-process peer addresses")
struct PeerAddressTests {
    @Test("waiters get the URL once the peer binds, with a wildcard host reached on loopback")
    func bindReleasesWaiters() async throws {
        let address = PeerAddress()
        #expect(address.currentURL == nil)
        let waiters = (0..<3).map { _ in Task { try await address.url() } }
        try await Task.sleep(for: .milliseconds(50))
        address.bind(host: "0.0.0.0", port: 3009)
        for waiter in waiters {
            #expect(try await waiter.value.absoluteString == "http://127.0.0.1:3009")
        }
        #expect(try await address.url().absoluteString == "http://127.0.0.1:3009")
    }

    @Test("a waiter whose task is cancelled before the peer binds gets CancellationError; the others keep waiting")
    func cancelledWaiter() async throws {
        let address = PeerAddress()
        let cancelled = Task { try await address.url() }
        let patient = Task { try await address.url() }
        try await Task.sleep(for: .milliseconds(50))
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { _ = try await cancelled.value }
        address.bind(host: "127.0.0.1", port: 8080)
        #expect(try await patient.value.absoluteString == "http://127.0.0.1:8080")
        // Already cancelled before asking: no wait at all.
        let late = PeerAddress()
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await late.url()
        }
        await #expect(throws: CancellationError.self) { _ = try await early.value }
    }
}
