/// Makes submitted text safe to show to a language model as data: control characters removed,
/// prompt delimiters and role prefixes neutralised (still readable, no longer parseable), and the
/// result cut to a length limit on a grapheme boundary. Everything else, every script, emoji and
/// combining mark, is kept as it was.
///
/// Neutralising swaps the ASCII punctuation of a delimiter for look-alike characters (`<|im_end|>`
/// becomes `‹¦im_end¦›`, `###` becomes `＃＃＃`, `SYSTEM:` at a line start becomes `SYSTEM：`).
/// No rule matches its own output, so sanitising twice gives the same text as sanitising once.
public struct PromptSanitiser: Sendable {
    /// What one run changed, for the structured log.
    public struct Report: Sendable, Equatable {
        public var controlCharactersRemoved = 0
        /// Per delimiter (as listed in ``PromptSanitiser/delimiters``), how often it was neutralised.
        public var delimiters: [String: Int] = [:]
        public var rolePrefixes = 0
        public var truncated = false

        public init() {}

        public var changed: Bool {
            controlCharactersRemoved > 0 || !delimiters.isEmpty || rolePrefixes > 0 || truncated
        }
    }

    /// Matched case-insensitively wherever they appear; longest first, so `<</SYS>>` is one match.
    public static let delimiters = [
        "[SYSTEM_INSTRUCTION_START]", "[SYSTEM_INSTRUCTION_END]", "<|endoftext|>", "<|assistant|>", "<|im_start|>", "<|im_end|>",
        "<|system|>", "<|user|>", "<</SYS>>", "<<SYS>>", "[/INST]", "[INST]", "</s>", "<s>", "###",
    ]

    /// Matched case-insensitively at the start of a line (after spaces or tabs).
    public static let rolePrefixes = ["ASSISTANT:", "SYSTEM:", "HUMAN:", "USER:"]

    /// `SANITIZER_MAX_CHARS`: the longest output, in grapheme clusters.
    public let maxCharacters: Int

    public init(maxCharacters: Int = 5_000) {
        self.maxCharacters = maxCharacters
    }

    public func sanitise(_ text: String) -> (text: String, report: Report) {
        var report = Report()
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if Self.isRemovedControl(scalar) {
                report.controlCharactersRemoved += 1
            } else {
                scalars.append(scalar)
            }
        }
        scalars = neutraliseDelimiters(scalars, report: &report)
        scalars = neutraliseRolePrefixes(scalars, report: &report)
        var result = String(String.UnicodeScalarView(scalars))
        if result.count > maxCharacters {
            result = String(result.prefix(maxCharacters))
            report.truncated = true
        }
        return (result, report)
    }

    /// U+0000–U+001F except tab, line feed and carriage return, and U+007F–U+009F.
    static func isRemovedControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: false
        case 0x00...0x1F, 0x7F...0x9F: true
        default: false
        }
    }

    private func neutraliseDelimiters(_ input: [Unicode.Scalar], report: inout Report) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(input.count)
        var index = 0
        scanning: while index < input.count {
            if Self.punctuation.contains(input[index].value) {
                for delimiter in Self.delimiterScalars where Self.matches(delimiter, in: input, at: index) {
                    output += delimiter.map(Self.neutralised)
                    // Keep the original letters (and their case); only the punctuation changes.
                    for offset in 0..<delimiter.count where !Self.punctuation.contains(delimiter[offset].value) {
                        output[output.count - delimiter.count + offset] = input[index + offset]
                    }
                    report.delimiters[String(String.UnicodeScalarView(delimiter)), default: 0] += 1
                    index += delimiter.count
                    continue scanning
                }
            }
            output.append(input[index])
            index += 1
        }
        return output
    }

    private func neutraliseRolePrefixes(_ input: [Unicode.Scalar], report: inout Report) -> [Unicode.Scalar] {
        var output = input
        var lineStart = true
        var index = 0
        while index < output.count {
            let scalar = output[index]
            if scalar == "\n" || scalar == "\r" {
                lineStart = true
            } else if lineStart && (scalar == " " || scalar == "\t") {
                // still at the start of the line
            } else if lineStart {
                lineStart = false
                for prefix in Self.prefixScalars where Self.matches(prefix, in: output, at: index) {
                    output[index + prefix.count - 1] = "\u{FF1A}"  // FULLWIDTH COLON
                    report.rolePrefixes += 1
                    break
                }
            }
            index += 1
        }
        return output
    }

    private static let delimiterScalars = delimiters.map { Array($0.unicodeScalars) }
    private static let prefixScalars = rolePrefixes.map { Array($0.unicodeScalars) }
    private static let punctuation: Set<UInt32> = [0x5B, 0x5D, 0x3C, 0x3E, 0x7C, 0x2F, 0x23]  // [ ] < > | / #

    /// The look-alike for each ASCII punctuation character of a delimiter.
    private static func neutralised(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar {
        case "[": "\u{FF3B}"  // ［
        case "]": "\u{FF3D}"  // ］
        case "<": "\u{2039}"  // ‹
        case ">": "\u{203A}"  // ›
        case "|": "\u{00A6}"  // ¦
        case "/": "\u{2215}"  // ∕
        case "#": "\u{FF03}"  // ＃
        default: scalar
        }
    }

    /// Case-insensitive (ASCII) comparison of `pattern` with `input` at `index`.
    private static func matches(_ pattern: [Unicode.Scalar], in input: [Unicode.Scalar], at index: Int) -> Bool {
        guard index + pattern.count <= input.count else { return false }
        for offset in 0..<pattern.count where lowercase(input[index + offset]) != lowercase(pattern[offset]) {
            return false
        }
        return true
    }

    private static func lowercase(_ scalar: Unicode.Scalar) -> UInt32 {
        (0x41...0x5A).contains(scalar.value) ? scalar.value + 0x20 : scalar.value
    }
}
