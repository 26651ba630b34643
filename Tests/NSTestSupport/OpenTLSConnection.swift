import Foundation
import Synchronization

/// One TLS connection held open by `openssl s_client`: the handshake happens at once, and what
/// the test writes later goes over the same connection. Shows that a connection opened before a
/// certificate reload still works after it, and with which certificate (s_client prints it).
public final class OpenTLSConnection {
    /// Everything s_client printed so far (stdout and stderr), filled by its reader thread.
    private final class Output: Sendable {
        let text = Mutex("")
    }

    private let process = Process()
    private let input = Pipe()
    private let buffer = Output()

    /// Connects to 127.0.0.1:`port` (SNI `localhost`), verifying against `authority`.
    public init(port: Int, authority: String) throws {
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: try Tools.which("openssl"))
        process.arguments = ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost", "-CAfile", authority]
        process.standardInput = input
        process.standardOutput = pipe
        process.standardError = pipe
        let buffer = self.buffer
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {  // s_client ended: stop being called at end of file
                handle.readabilityHandler = nil
                return
            }
            buffer.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    public var output: String { buffer.text.withLock { $0 } }

    /// Writes `text` (an HTTP request, say) to the open connection.
    public func send(_ text: String) {
        input.fileHandleForWriting.write(Data(text.utf8))
    }

    /// Waits until the output contains `marker`, throwing with the output after `timeout`.
    public func waitFor(_ marker: String, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !output.contains(marker) {
            guard ContinuousClock.now < deadline else { throw ChildProcessError.timedOut(stdout: output, stderr: "") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Ends s_client (and with it the connection).
    public func close() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
