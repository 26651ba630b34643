/// The seeds' pre-run check ("DB_PASSWORD access blocked"), kept as a second line behind the
/// empty environment: a snippet that reads a secret's environment variable is refused before it
/// runs, as a security violation; one that only mentions such a name runs, and the mention is
/// recorded in its outcome.
///
/// A read is the exact name (or its `_FILE` / `_PREVIOUS` form) as a whole word right after an
/// environment access on the same line: `$NAME` or `${NAME` (shells), or after `environ`,
/// `getenv`, `env.`, `env[`, `env::var`, `printenv` (Python, C, PHP, Go, Java, Node, Ruby,
/// Rust, awk). It cannot see a name assembled at run time or read through a file; the empty
/// environment is what protects against those.
enum SecretReferenceScan {
    /// Names of the variables that carry secrets in a NeuroSwarm deployment (their `_FILE` and
    /// `_PREVIOUS` forms match too), plus the seeds' `DB_PASSWORD` and common cloud credentials.
    static let forbidden = [
        "JWT_SECRET", "ADMIN_JWT_SECRET", "SESSION_SECRET", "INTERNAL_TOKEN", "NS_SIGNING_KEY", "VP_SIGNING_KEY", "WITNESS_SIGNING_KEY",
        "GRAFANA_ADMIN_PASSWORD", "DB_PASSWORD", "REDIS_URL", "REDIS_PASSWORD", "REDIS_SENTINEL_PASSWORD", "DATABASE_URL", "AWS_SECRET_ACCESS_KEY",
    ]

    /// Lower-cased text that, earlier on the line, makes the next word an environment read.
    static let accessors = ["environ", "getenv", "env.", "env[", "env::var", "printenv"]

    /// How far back on the line an accessor may be (`os.environ.get("NAME")` is 17 characters).
    static let accessorReach = 32

    /// The first forbidden variable the snippet reads from the environment, or `nil`.
    static func environmentRead(in snippet: String) -> String? {
        for word in words(in: snippet) {
            guard let name = canonical(word.text, exactCase: true) else { continue }
            if word.lead.hasSuffix("$") || word.lead.hasSuffix("${") { return name }
            let before = word.lead.suffix(accessorReach).lowercased()
            if accessors.contains(where: before.contains) { return name }
        }
        return nil
    }

    /// Every forbidden name the snippet mentions, in any case, once each, in the order of the list.
    static func mentions(in snippet: String) -> [String] {
        let found = Set(words(in: snippet).compactMap { canonical($0.text, exactCase: false) })
        return forbidden.filter(found.contains)
    }

    /// The forbidden name `word` is, or a form of; `nil` when it is none.
    private static func canonical(_ word: String, exactCase: Bool) -> String? {
        guard word.count >= 8 else { return nil }
        let compared = exactCase ? word : word.uppercased()
        return forbidden.first { compared == $0 || compared == $0 + "_FILE" || compared == $0 + "_PREVIOUS" }
    }

    /// Identifier-like words (ASCII letters, digits, `_`) with the text of their line before them.
    private static func words(in snippet: String) -> [(text: String, lead: Substring)] {
        var result: [(text: String, lead: Substring)] = []
        for line in snippet.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            var start: Substring.Index?
            var index = line.startIndex
            while index <= line.endIndex {
                let character = index < line.endIndex ? line[index] : " "
                let isWordCharacter = character.isASCII && (character.isLetter || character.isNumber || character == "_")
                if isWordCharacter, start == nil { start = index }
                if !isWordCharacter, let begin = start {
                    result.append((String(line[begin..<index]), line[line.startIndex..<begin]))
                    start = nil
                }
                if index == line.endIndex { break }
                index = line.index(after: index)
            }
        }
        return result
    }
}
