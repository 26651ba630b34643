/// A YAML value built in code and written in the order it was built.
///
/// The rendered files carry comments for the operator, which Yams (the YAML library in the package
/// set) cannot write, and must be byte-stable for `nsctl compose render --check`; so this writer
/// is deliberately small: block mappings and
/// sequences, one-line flow sequences, comments, and scalars quoted whenever a YAML 1.1 reader
/// (docker-compose 1.x uses PyYAML) could take them for anything but a string.
indirect enum YAMLNode: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    /// A string, quoted when needed.
    case string(String)
    /// Written exactly as given: numbers and booleans.
    case literal(String)
    /// A block sequence (`- item` lines).
    case list([YAMLNode])
    /// A flow sequence of strings on one line: `["CMD", "curl"]`.
    case flow([String])
    /// A block mapping in insertion order.
    case map(YAMLMap)

    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .literal(String(value)) }
    init(booleanLiteral value: Bool) { self = .literal(value ? "true" : "false") }

    /// Whether the value fits after `key: ` on the same line.
    fileprivate var isInline: Bool {
        switch self {
        case .string, .literal, .flow: true
        case .list(let items): items.isEmpty
        case .map(let map): map.entries.isEmpty
        }
    }

    fileprivate var inlineText: String {
        switch self {
        case .string(let text): YAMLNode.quoted(text)
        case .literal(let text): text
        case .flow(let items): "[" + items.map { YAMLNode.doubleQuoted($0) }.joined(separator: ", ") + "]"
        case .list: "[]"
        case .map: "{}"
        }
    }

    /// `text` as a plain scalar when that is unambiguous, else double-quoted.
    ///
    /// Plain only for words of letters, digits, `_ . / -` that start with a letter, `.` or `/`
    /// and are not YAML 1.1 booleans or nulls; anything with `:` stays quoted, since
    /// `8080:8080` is a base-60 integer to a YAML 1.1 reader.
    static func quoted(_ text: String) -> String {
        let reserved: Set<String> = ["y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"]
        guard let first = text.unicodeScalars.first,
              first == "." || first == "/" || ("a"..."z").contains(first) || ("A"..."Z").contains(first),
              !reserved.contains(text.lowercased()),
              text.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "_./-".unicodeScalars.contains($0) })
        else { return doubleQuoted(text) }
        return text
    }

    static func doubleQuoted(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            default: escaped.append(character)
            }
        }
        return "\"" + escaped + "\""
    }
}

/// One `key: value` of a mapping, with comment lines written above it.
struct YAMLEntry: Sendable {
    var key: String
    var value: YAMLNode
    var comments: [String] = []
}

/// A mapping that keeps its keys in the order written, so output never depends on hashing.
struct YAMLMap: Sendable, ExpressibleByDictionaryLiteral {
    var entries: [YAMLEntry]
    /// Separate entries with a blank line (top level, `services:`), for people reading the file.
    var spaced = false

    init(dictionaryLiteral elements: (String, YAMLNode)...) {
        entries = elements.map { YAMLEntry(key: $0.0, value: $0.1) }
    }

    init(_ entries: [YAMLEntry], spaced: Bool = false) {
        self.entries = entries
        self.spaced = spaced
    }

    /// Appends `value` under `key`.
    mutating func append(_ key: String, _ value: YAMLNode, comments: [String] = []) {
        entries.append(YAMLEntry(key: key, value: value, comments: comments))
    }
}

/// A whole YAML file: header comment lines, then the root mapping.
struct YAMLDocument: Sendable {
    var header: [String]
    var root: YAMLMap

    /// The file's text, ending in one newline.
    func render() -> String {
        var lines = header.map { $0.isEmpty ? "#" : "# " + $0 }
        if !lines.isEmpty { lines.append("") }
        Self.write(root, indent: 0, into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func write(_ map: YAMLMap, indent: Int, firstPrefix: String? = nil, into lines: inout [String]) {
        let pad = String(repeating: " ", count: indent)
        // The first line of a map inside a list starts with "- " instead of indentation.
        var prefix = firstPrefix
        func emit(_ text: String) {
            lines.append((prefix ?? pad) + text)
            prefix = nil
        }
        for (index, entry) in map.entries.enumerated() {
            if map.spaced && index > 0 { lines.append("") }
            for comment in entry.comments { emit("# " + comment) }
            let key = YAMLNode.quoted(entry.key)
            if entry.value.isInline {
                emit(key + ": " + entry.value.inlineText)
            } else {
                emit(key + ":")
                write(entry.value, indent: indent + 2, into: &lines)
            }
        }
    }

    private static func write(_ node: YAMLNode, indent: Int, into lines: inout [String]) {
        let pad = String(repeating: " ", count: indent)
        switch node {
        case .map(let map):
            write(map, indent: indent, into: &lines)
        case .list(let items):
            for item in items {
                switch item {
                case .map(let map) where !map.entries.isEmpty:
                    write(map, indent: indent + 2, firstPrefix: pad + "- ", into: &lines)
                case .list(let inner) where !inner.isEmpty:
                    lines.append(pad + "-")
                    write(item, indent: indent + 2, into: &lines)
                default:
                    lines.append(pad + "- " + item.inlineText)
                }
            }
        default:
            lines.append(pad + node.inlineText)
        }
    }
}
