/// Changes a few `NAME=value` lines of a dotenv file and leaves every other line (comments,
/// order, unknown settings) as it was.
struct EnvEditor {
    private(set) var lines: [String]

    init(text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
    }

    var text: String { lines.joined(separator: "\n") + "\n" }

    /// The name a line sets, if it is an assignment.
    static func name(of line: String) -> String? {
        var rest = line.drop(while: { $0 == " " || $0 == "\t" })
        if rest.hasPrefix("#") { return nil }
        if rest.hasPrefix("export ") { rest = rest.dropFirst("export ".count) }
        guard let equals = rest.firstIndex(of: "=") else { return nil }
        let name = rest[..<equals].trimmingCharacters(in: .whitespaces)
        return name.isEmpty ? nil : name
    }

    /// Sets `name` to `value`: rewrites its (last) line, or inserts a line after `after`'s line,
    /// or appends one. Earlier duplicate lines for `name` are removed.
    mutating func set(_ name: String, to value: String, after anchor: String? = nil) {
        let positions = lines.indices.filter { Self.name(of: lines[$0]) == name }
        if let last = positions.last {
            lines[last] = "\(name)=\(value)"
            for index in positions.dropLast().reversed() { lines.remove(at: index) }
            return
        }
        if let anchor, let position = lines.lastIndex(where: { Self.name(of: $0) == anchor }) {
            lines.insert("\(name)=\(value)", at: position + 1)
        } else {
            lines.append("\(name)=\(value)")
        }
    }

    /// Records when `stamp.name` was generated or rotated: its stamp line goes directly above the
    /// setting's line, and any older stamp for it is removed. Call after ``set(_:to:after:)``.
    mutating func record(_ stamp: SecretStamp) {
        lines.removeAll { SecretStamp(line: $0)?.name == stamp.name }
        guard let position = lines.lastIndex(where: { Self.name(of: $0) == stamp.name }) else { return }
        lines.insert(stamp.line, at: position)
    }
}
