import Foundation

/// The field rules of ``LedgerTransaction``, one check per field, each failure naming its pointer.
enum TransactionRules {
    static let allowedKeys: Set<String> = ["v", "artifact", "submitter", "jobId", "metadata", "preview", "previewSha256", "sandbox", "time"]

    static func validate(_ value: JSONValue, pointer: String) throws(TransactionError) {
        func fail(_ field: String, _ reason: String) -> TransactionError {
            TransactionError(pointer: pointer + field, reason: reason)
        }
        guard let fields = value.objectValue else { throw TransactionError(pointer: pointer, reason: "must be a JSON object") }
        if !fields.keys.allSatisfy(allowedKeys.contains), let unknown = fields.keys.sorted().first(where: { !allowedKeys.contains($0) }) {
            throw fail("/\(unknown)", "is not a transaction field")
        }
        guard fields["v"] == .int(1) else { throw fail("/v", "must be 1") }

        guard let artifact = fields["artifact"]?.objectValue else { throw fail("/artifact", "must be an object with sha256 and size") }
        guard artifact.count == 2, artifact["sha256"] != nil, artifact["size"] != nil else { throw fail("/artifact", "must have exactly sha256 and size") }
        guard let digest = artifact["sha256"]?.stringValue, Hex.isLowercase(digest, byteCount: 32) else {
            throw fail("/artifact/sha256", "must be 64 lowercase hex digits")
        }
        guard let size = artifact["size"]?.intValue, (0...Int64(LedgerTransaction.maxArtifactBytes)).contains(size) else {
            throw fail("/artifact/size", "must be a whole number of bytes from 0 to \(LedgerTransaction.maxArtifactBytes)")
        }

        guard let submitter = fields["submitter"]?.stringValue, LedgerTransaction.isValidSubmitter(submitter) else {
            throw fail("/submitter", "must be a string of 1 to \(LedgerTransaction.maxSubmitterCharacters) characters")
        }
        guard let jobID = fields["jobId"]?.stringValue, LedgerTransaction.isValidJobID(jobID) else {
            throw fail("/jobId", "must be 1 to 128 URL-safe characters (A-Z a-z 0-9 _ -)")
        }
        guard let time = fields["time"]?.intValue, time >= 0 else { throw fail("/time", "must be Unix milliseconds, not negative") }
        _ = time

        guard let metadata = fields["metadata"]?.objectValue else { throw fail("/metadata", "must be an object") }
        try validateMetadata(metadata, pointer: pointer + "/metadata")

        switch (fields["preview"], fields["previewSha256"]) {
        case (.some(let preview), nil):
            guard let text = preview.stringValue, characters(text, atMost: LedgerTransaction.maxPreviewCharacters) else {
                throw fail("/preview", "must be a string of at most \(LedgerTransaction.maxPreviewCharacters) characters")
            }
        case (nil, .some(let digest)):
            guard let hex = digest.stringValue, Hex.isLowercase(hex, byteCount: 32) else {
                throw fail("/previewSha256", "must be 64 lowercase hex digits")
            }
        default:
            throw fail("/preview", "exactly one of preview and previewSha256 is required")
        }
        if let sandbox = fields["sandbox"], sandbox.objectValue == nil {
            throw fail("/sandbox", "must be an object")
        }
    }

    static func validateMetadata(_ metadata: [String: JSONValue], pointer: String) throws(TransactionError) {
        guard metadata.count <= 32 else { throw TransactionError(pointer: pointer, reason: "has more than 32 keys") }
        // Checked in any order; only on failure is the first bad key (in sorted order) looked for,
        // so the error names the same field whatever the dictionary's order.
        var failures: [(key: String, reason: String)] = []
        for (key, value) in metadata {
            if !(1...64).contains(key.utf8.count) || !key.utf8.allSatisfy(isMetadataKeyByte) {
                failures.append((key, "key must be 1 to 64 characters of A-Z a-z 0-9 _ . -"))
                continue
            }
            switch value {
            case .string(let text) where characters(text, atMost: 1_024): continue
            case .int, .bool: continue
            default: failures.append((key, "must be a string of at most 1,024 characters, a whole number or a boolean"))
            }
        }
        if let first = failures.min(by: { $0.key < $1.key }) {
            throw TransactionError(pointer: pointer + "/" + escapePointer(first.key), reason: first.reason)
        }
    }

    /// Whether `text` has at most `limit` characters, without counting graphemes when the UTF-8
    /// length already proves it (a character is at least one byte).
    static func characters(_ text: String, atMost limit: Int) -> Bool {
        text.utf8.count <= limit || text.count <= limit
    }

    /// RFC 6901 escaping of one reference token.
    static func escapePointer(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func isURLSafe(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x5F || byte == 0x2D
    }

    static func isMetadataKeyByte(_ byte: UInt8) -> Bool {
        isURLSafe(byte) || byte == 0x2E
    }
}
