import Crypto
import Foundation
import NSCore

/// One file to submit, read and checked before any network call.
struct Artifact: Sendable {
    let name: String
    let content: String

    /// Reads `path` (`-` is standard input) and applies the gateway's content rules locally, so a
    /// file that would be refused is reported with its length and the limit, and nothing is sent.
    static func read(_ path: String, maxCharacters: Int) throws -> Artifact {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CommandFailure("\(path) cannot be read; check the path and its permissions")
            }
            data = contents
        }
        let name = path == "-" ? "(stdin)" : path
        guard let text = String(validating: data, as: UTF8.self) else {
            throw CommandFailure("\(name) is not valid UTF-8 text; convert it (e.g. iconv -t UTF-8) before submitting")
        }
        let length = text.unicodeScalars.count
        guard length >= 1 else { throw CommandFailure("\(name) is empty; an artifact needs 1 to \(maxCharacters) characters") }
        guard length <= maxCharacters else {
            throw CommandFailure("\(name) has \(length) characters; the limit is \(maxCharacters) (MAX_ARTIFACT_CHARS); split it or raise the limit")
        }
        return Artifact(name: name, content: text)
    }

    /// The JSON item the gateway takes.
    func item(metadata: [String: JSONValue], priority: String?) -> JSONValue {
        var fields: [String: JSONValue] = ["content": .string(content)]
        if !metadata.isEmpty { fields["metadata"] = .object(metadata) }
        if let priority { fields["priority"] = .string(priority) }
        return .object(fields)
    }

    /// An Idempotency-Key from the bytes of what is sent: the same command retried sends the
    /// same key, so the gateway answers with the first jobs instead of enqueueing again.
    static func idempotencyKey(for body: [UInt8]) -> String {
        "nsctl-" + Hex.encode(SHA256.hash(data: body).prefix(16))
    }
}
