import NSCore

/// Indented JSON with keys in byte order, written the same on every platform.
///
/// Foundation's pretty printer differs between Linux and macOS (spacing, empty containers), and
/// `nsctl compose render --check` compares bytes, so the dashboard is printed here instead;
/// scalars reuse ``CanonicalJSON``'s escaping.
enum PrettyJSON {
    /// `value` with two-space indentation and a final newline.
    static func render(_ value: JSONValue) -> String {
        var lines = ""
        write(value, indent: 0, into: &lines)
        return lines + "\n"
    }

    private static func write(_ value: JSONValue, indent: Int, into text: inout String) {
        let inner = String(repeating: " ", count: indent + 2)
        switch value {
        case .array(let elements) where !elements.isEmpty:
            text += "[\n"
            for (index, element) in elements.enumerated() {
                text += inner
                write(element, indent: indent + 2, into: &text)
                text += index == elements.count - 1 ? "\n" : ",\n"
            }
            text += String(repeating: " ", count: indent) + "]"
        case .object(let members) where !members.isEmpty:
            text += "{\n"
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, key) in keys.enumerated() {
                text += inner + scalar(.string(key)) + ": "
                write(members[key] ?? .null, indent: indent + 2, into: &text)
                text += index == keys.count - 1 ? "\n" : ",\n"
            }
            text += String(repeating: " ", count: indent) + "}"
        default:
            text += scalar(value)
        }
    }

    private static func scalar(_ value: JSONValue) -> String {
        String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
    }
}
