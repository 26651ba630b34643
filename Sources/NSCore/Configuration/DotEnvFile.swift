import Foundation

/// A parsed `.env` file: `NAME=value` lines as Docker Compose and the seeds write them.
///
/// Supported: blank lines, `#` comments, an optional `export ` prefix, single-quoted values taken
/// literally, double-quoted values with `\n`, `\"` and `\\` escapes, and unquoted values with a
/// trailing ` # comment` removed. Anything else is an error naming the line, so a typo never turns
/// into a silently missing setting.
public struct DotEnvFile: Sendable, Equatable {
    /// The values in file order of first appearance; a later line for the same name wins.
    public private(set) var values: [String: String] = [:]
    /// The line each name was last set on, for error messages.
    public private(set) var lineNumbers: [String: Int] = [:]

    public init(values: [String: String] = [:]) {
        self.values = values
    }

    /// Parses file contents. `path` only labels errors.
    public init(parsing text: String, path: String) throws(ConfigurationError) {
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lineNumber = index + 1
            var line = rawLine.drop(while: { $0 == " " || $0 == "\t" })
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst("export ".count) }
            guard let equals = line.firstIndex(of: "=") else {
                throw Self.error(path, lineNumber, "has no '=': write NAME=value")
            }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard Self.isValidName(name) else {
                throw Self.error(path, lineNumber, "has an invalid name: use letters, digits and '_', not starting with a digit")
            }
            let value = try Self.parseValue(line[line.index(after: equals)...], path: path, line: lineNumber)
            values[name] = value
            lineNumbers[name] = lineNumber
        }
    }

    /// Reads and parses the file at `path`; `nil` when it does not exist.
    public static func load(path: String) throws(ConfigurationError) -> DotEnvFile? {
        try read(path: path)?.file
    }

    /// ``load(path:)`` with the text it parsed, which keeps the comments the values leave out.
    ///
    /// `path` may be a pipe (`--env-file <(sops -d .env.enc)`, secrets never written to disk),
    /// which can be read only once: a caller that needs the text too takes it from here.
    public static func read(path: String) throws(ConfigurationError) -> (file: DotEnvFile, text: String)? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let unreadable = ConfigurationError(variable: path, problem: "cannot be read", fix: "check the file's permissions")
        // FileHandle, not FileManager.contents(atPath:), which gives nothing for a pipe (it has no size).
        guard let handle = FileHandle(forReadingAtPath: path) else { throw unreadable }
        defer { try? handle.close() }  // read-only: closing cannot lose anything
        let data: Data
        do {
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw unreadable
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(variable: path, problem: "is not valid UTF-8", fix: "save it as UTF-8 text")
        }
        return (try DotEnvFile(parsing: text, path: path), text)
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !(("0"..."9").contains(first)) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    private static func parseValue(_ raw: Substring, path: String, line: Int) throws(ConfigurationError) -> String {
        let trimmed = raw.drop(while: { $0 == " " || $0 == "\t" })
        guard let quote = trimmed.first, quote == "\"" || quote == "'" else {
            var value = trimmed
            if let comment = value.range(of: " #") { value = value[..<comment.lowerBound] }
            return value.trimmingCharacters(in: .whitespaces)
        }
        var result = ""
        var escaped = false
        var index = trimmed.index(after: trimmed.startIndex)
        while index < trimmed.endIndex {
            let character = trimmed[index]
            if quote == "\"" && escaped {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: result.append(character)
                }
                escaped = false
            } else if quote == "\"" && character == "\\" {
                escaped = true
            } else if character == quote {
                let rest = trimmed[trimmed.index(after: index)...].trimmingCharacters(in: .whitespaces)
                guard rest.isEmpty || rest.hasPrefix("#") else {
                    throw error(path, line, "has text after the closing quote")
                }
                return result
            } else {
                result.append(character)
            }
            index = trimmed.index(after: index)
        }
        throw error(path, line, "has an unterminated \(quote) quote")
    }

    private static func error(_ path: String, _ line: Int, _ problem: String) -> ConfigurationError {
        ConfigurationError(variable: "\(path):\(line)", problem: problem, fix: "correct that line of \(path)")
    }
}
