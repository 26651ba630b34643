import Foundation

/// One interpreter the code sandbox may run, from `SANDBOX_RUNTIMES`: an artifact whose metadata
/// says `"kind": "code", "language": name` is run as `executable arguments... snippet-file`.
public struct SandboxRuntime: Sendable, Equatable {
    public let language: String
    public let executable: String
    public let arguments: [String]

    public init(language: String, executable: String, arguments: [String] = []) {
        self.language = language
        self.executable = executable
        self.arguments = arguments
    }

    /// The default: Python in isolated mode without site packages, and the POSIX shell.
    public static let defaultSpecification = "python=/usr/bin/python3 -I -S,sh=/bin/sh"

    /// Parses `name=/absolute/path [args...]` entries separated by commas; `none` lists no runtime
    /// (code artifacts are then only hashed and sanitised, like any text).
    static func parse(_ text: String) throws(ConfigurationError) -> [SandboxRuntime] {
        if text.trimmingCharacters(in: .whitespaces).lowercased() == "none" { return [] }
        var runtimes: [SandboxRuntime] = []
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            let words = parts.count == 2 ? parts[1].split(separator: " ").map(String.init) : []
            guard parts.count == 2, let executable = words.first, executable.hasPrefix("/"),
                  !parts[0].isEmpty, parts[0].count <= 32,
                  parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_+-".contains($0)) }) else {
                throw ConfigurationError(variable: "SANDBOX_RUNTIMES", problem: "entry '\(entry)' is not language=/absolute/path [arguments]",
                                         fix: "list entries such as \(defaultSpecification), or none")
            }
            guard !runtimes.contains(where: { $0.language == parts[0] }) else {
                throw ConfigurationError(variable: "SANDBOX_RUNTIMES", problem: "names language '\(parts[0])' twice", fix: "keep one entry per language")
            }
            runtimes.append(SandboxRuntime(language: parts[0], executable: executable, arguments: Array(words.dropFirst())))
        }
        return runtimes
    }

    static func load(source: ConfigurationSource) throws(ConfigurationError) -> [SandboxRuntime] {
        try parse(source.string("SANDBOX_RUNTIMES") ?? defaultSpecification)
    }
}
