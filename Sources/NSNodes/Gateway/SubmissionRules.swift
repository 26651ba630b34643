import NSCore
import NSQueue

/// One artifact submission that passed validation.
public struct Submission: Sendable, Equatable {
    public var content: String
    public var metadata: [String: JSONValue]
    public var priority: JobPriority
}

/// The checks on `{"content", "metadata"?, "priority"?}`, every failure named by a JSON pointer so
/// a client can fix all of them in one go.
///
/// Limits: `content` 1...`MAX_ARTIFACT_CHARS` Unicode scalars; `metadata` at most 32 keys of 1 to
/// 64 characters from `[A-Za-z0-9_.-]`, each value a string (at most 1,024 characters), an integer
/// or a boolean, 16 KiB in all as JSON; `priority` one of critical, high, normal, low. Unknown fields are refused, so a
/// misspelt `priority` is not silently ignored.
public enum SubmissionRules {
    public static let maxMetadataKeys = 32
    public static let maxMetadataKeyLength = 64
    public static let maxMetadataValueLength = 1_024
    /// The metadata's size as canonical JSON. With the largest content (10,000 four-byte
    /// characters) it keeps the transaction under the ledger's 64 KiB, so nothing accepted here
    /// is refused by ns-node later.
    public static let maxMetadataBytes = 16_384
    static let knownFields: Set<String> = ["content", "metadata", "priority"]

    /// The submission, or every field that fails (never both).
    public enum Outcome: Sendable, Equatable {
        case valid(Submission)
        case invalid([ProblemDetails.FieldError])
    }

    public static func validate(_ value: JSONValue, at prefix: String, maxContentChars: Int) -> Outcome {
        guard let object = value.objectValue else {
            return .invalid([.init(pointer: prefix, detail: "must be a JSON object with a \"content\" string")])
        }
        var errors: [ProblemDetails.FieldError] = []
        for key in object.keys.filter({ !knownFields.contains($0) }).sorted() {
            errors.append(.init(pointer: prefix + "/" + escape(key), detail: "is not a known field (content, metadata, priority)"))
        }
        var content = ""
        switch object["content"] {
        case .string(let text)?:
            // No more UTF-8 bytes than the limit means no more characters: count only when needed.
            let length = text.utf8.count > maxContentChars ? text.unicodeScalars.count : text.utf8.count
            if length == 0 || length > maxContentChars {
                errors.append(.init(pointer: prefix + "/content", detail: "must be 1 to \(maxContentChars) characters (has \(length))"))
            }
            content = text
        case nil: errors.append(.init(pointer: prefix + "/content", detail: "is required"))
        default: errors.append(.init(pointer: prefix + "/content", detail: "must be a string"))
        }
        var metadata: [String: JSONValue] = [:]
        switch object["metadata"] {
        case .object(let members)?:
            metadata = members
            errors += metadataErrors(members, at: prefix + "/metadata")
        case nil, .null?: break
        default: errors.append(.init(pointer: prefix + "/metadata", detail: "must be an object"))
        }
        var priority = JobPriority.normal
        switch object["priority"] {
        case .string(let name)? where JobPriority(rawValue: name) != nil: priority = JobPriority(rawValue: name)!  // checked by the pattern
        case nil: break
        default: errors.append(.init(pointer: prefix + "/priority", detail: "must be one of critical, high, normal, low"))
        }
        return errors.isEmpty ? .valid(Submission(content: content, metadata: metadata, priority: priority)) : .invalid(errors)
    }

    static func metadataErrors(_ members: [String: JSONValue], at pointer: String) -> [ProblemDetails.FieldError] {
        var errors: [ProblemDetails.FieldError] = []
        if members.count > maxMetadataKeys {
            errors.append(.init(pointer: pointer, detail: "has \(members.count) keys; at most \(maxMetadataKeys) are allowed"))
        }
        if encodedSizeBound(members) > maxMetadataBytes {
            let size = CanonicalJSON.encode(.object(members)).count
            if size > maxMetadataBytes {
                errors.append(.init(pointer: pointer, detail: "is \(size) bytes as JSON; at most \(maxMetadataBytes) are allowed"))
            }
        }
        // Sorted only to name failing keys in a stable order; most metadata has none.
        guard members.contains(where: { !isValidKey($0.key) || !isValidValue($0.value) }) else { return errors }
        for (key, value) in members.sorted(by: { $0.key < $1.key }) {
            let location = { pointer + "/" + escape(key) }  // built only for a failing key
            if !isValidKey(key) {
                errors.append(.init(pointer: location(), detail: "key must be 1 to \(maxMetadataKeyLength) characters of A-Z a-z 0-9 _ . -"))
            }
            if !isValidValue(value) {
                let detail = if case .string = value { "must be at most \(maxMetadataValueLength) characters" }
                    else { "must be a string, an integer or a boolean" }
                errors.append(.init(pointer: location(), detail: detail))
            }
        }
        return errors
    }

    static func isValidValue(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): text.utf8.count <= maxMetadataValueLength || text.unicodeScalars.count <= maxMetadataValueLength
        case .int, .bool: true
        default: false
        }
    }

    /// At least the metadata's canonical JSON size, without encoding it: every string byte
    /// counted as its longest escape (`\u00XX`), every number at its widest.
    static func encodedSizeBound(_ members: [String: JSONValue]) -> Int {
        members.reduce(2) { total, member in
            let value = switch member.value {
            case .string(let text): 6 * text.utf8.count + 2
            case .int: 20
            case .bool: 5
            default: maxMetadataBytes + 1  // refused anyway: measure it exactly
            }
            return total + 6 * member.key.utf8.count + 4 + value
        }
    }

    static func isValidKey(_ key: String) -> Bool {
        (1...maxMetadataKeyLength).contains(key.utf8.count) && key.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"): true
            default: false
            }
        }
    }

    /// Escapes one reference token of a JSON pointer (RFC 6901: `~` → `~0`, `/` → `~1`).
    public static func escape(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        return token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
