import Foundation

/// The sandbox could not be put in place around a snippet: a mount was refused, namespaces are
/// forbidden, a tool is missing, the runtime is not reachable inside. Nothing of the snippet
/// ran, so this is never its outcome: the attempt fails and the queue retries it (then
/// dead-letters it with this reason). The reason is the launcher's own message; it can name
/// paths of this host, so it goes to the job's error and the log, never into a transaction.
public struct SandboxLaunchFailure: Error, CustomStringConvertible, Equatable {
    public let reason: String

    init(reason: String) {
        self.reason = reason
    }

    /// From what the launcher wrote to stderr before it gave up, and how it ended.
    init(stderr: [UInt8], timedOut: Bool, status: Int32?) {
        let line = String(decoding: stderr, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init)
        let cleaned = line.map { $0.hasPrefix("nsd-sandbox: ") ? String($0.dropFirst(13)) : $0 }
        if let cleaned, !cleaned.isEmpty {
            reason = cleaned
        } else if timedOut {
            reason = "the sandbox was not in place within SANDBOX_TIMEOUT_MS"
        } else {
            reason = "the launcher exited with status \(status.map(String.init) ?? "unknown") before starting the snippet"
        }
    }

    public var description: String { "the code sandbox could not start the snippet: \(reason)" }
}

/// The snippet's text as the launcher's stdin: an unlinked temporary file, so it is never on a
/// command line and nothing of it stays on disk, and the job's user needs no access to any
/// host folder to receive it.
enum SnippetInput {
    static func handle(for snippet: String) throws -> FileHandle {
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("nsd-snippet-XXXXXX").utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        unlink(template)
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        try handle.write(contentsOf: Data(snippet.utf8))
        try handle.seek(toOffset: 0)
        return handle
    }
}
