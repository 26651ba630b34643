import Foundation

/// Renders a ``CommandDescription`` as an mdoc(7) man page: NAME, SYNOPSIS, DESCRIPTION, one
/// entry per subcommand (nested to any depth) with its options, then the tool's own sections
/// (environment, files, exit status, see also). Output is deterministic, so a test can compare
/// the committed pages with a fresh render.
struct ManualPage {
    let command: CommandDescription
    let section: Int
    /// The page's revision date (`.Dd`): fixed, not today's, so regeneration is byte-stable.
    let date: String
    /// Extra sections in order: title, then mdoc body lines (already escaped as needed).
    let extraSections: [(title: String, body: [String])]

    func render() -> String {
        var lines = [
            ".Dd \(date)",
            ".Dt \(command.commandName.uppercased()) \(section)",
            ".Os",
            ".Sh NAME",
            ".Nm \(command.commandName)",
            ".Nd \(Self.escape(Self.sentence(command.abstract ?? command.commandName)))",
            ".Sh SYNOPSIS",
        ]
        if command.documentedSubcommands.isEmpty {
            lines.append(".Nm")
            let arguments = synopsis(of: command)
            if !arguments.isEmpty { lines.append("." + arguments) }
        } else {
            lines += [".Nm", ".Ar command", ".Op Ar options"]
        }
        lines.append(".Sh DESCRIPTION")
        lines += paragraphs(command.discussion ?? command.abstract ?? "")
        if !command.documentedArguments.isEmpty {
            lines += [".Pp", "Options:"] + optionList(command.documentedArguments)
        }
        if !command.documentedSubcommands.isEmpty {
            lines += [".Sh COMMANDS", ".Bl -tag -width Ds"]
            for subcommand in command.documentedSubcommands {
                lines += entry(subcommand, path: [])
            }
            lines.append(".El")
        }
        for (title, body) in extraSections {
            lines.append(".Sh \(title)")
            lines += body
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One subcommand: its invocation, abstract and discussion, options, then its own
    /// subcommands as a nested list.
    private func entry(_ subcommand: CommandDescription, path: [String]) -> [String] {
        let fullPath = path + [subcommand.commandName]
        var lines = [".It Nm \(fullPath.joined(separator: " ")) \(synopsis(of: subcommand))".trimmingCharacters(in: .whitespaces)]
        if let abstract = subcommand.abstract { lines += Self.textLines(Self.sentence(abstract)) }
        if let discussion = subcommand.discussion, !discussion.isEmpty { lines += [".Pp"] + paragraphs(discussion) }
        if subcommand.defaultSubcommand != nil, let name = subcommand.defaultSubcommand {
            lines += [".Pp", "Without a subcommand, runs", ".Cm \(name) ."]
        }
        if !subcommand.documentedArguments.isEmpty { lines += optionList(subcommand.documentedArguments) }
        if !subcommand.documentedSubcommands.isEmpty {
            lines.append(".Bl -tag -width Ds")
            for nested in subcommand.documentedSubcommands { lines += entry(nested, path: fullPath) }
            lines.append(".El")
        }
        return lines
    }

    /// Inline macros for the arguments of one command line, e.g.
    /// `Ar volume ... Oo Fl -out Ar path Oc`, usable on a `.It` head or after `.Nm`.
    private func synopsis(of command: CommandDescription) -> String {
        command.documentedArguments.map { argument in
            var text = usage(argument)
            if argument.isRepeating { text += " ..." }
            return argument.isOptional ? "Oo \(text) Oc" : text
        }.joined(separator: " ")
    }

    private func usage(_ argument: CommandDescription.Argument) -> String {
        let value = Self.escape(argument.valueName ?? "value")
        switch argument.kind {
        case .positional: return "Ar \(value)"
        case .flag: return "Fl \(flagName(argument))"
        case .option: return "Fl \(flagName(argument)) Ar \(value)"
        }
    }

    /// The name after `Fl`, which prints one dash itself: `-out` for `--out`, `v` for `-v`.
    private func flagName(_ argument: CommandDescription.Argument) -> String {
        guard let name = argument.preferredName ?? argument.names?.first else { return "" }
        switch name.kind {
        case .long: return "-" + name.name
        case .short, .longWithSingleDash: return name.name
        }
    }

    private func optionList(_ arguments: [CommandDescription.Argument]) -> [String] {
        var lines = [".Bl -tag -width Ds"]
        for argument in arguments {
            lines.append(".It \(usage(argument))")
            var help = Self.sentence(argument.abstract ?? "")
            if let values = argument.allValues, !values.isEmpty, argument.kind != .flag,
               !help.contains(values[0]) { help += " One of: \(values.joined(separator: ", "))." }
            if let value = argument.defaultValue, !value.isEmpty { help += " Default: \(value)." }
            lines += Self.textLines(help)
        }
        lines.append(".El")
        return lines
    }

    /// Text paragraphs (blank-line separated) as mdoc lines, with `.Pp` between them.
    private func paragraphs(_ text: String) -> [String] {
        let blocks = text.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        var lines: [String] = []
        for (index, block) in blocks.enumerated() {
            if index > 0 { lines.append(".Pp") }
            lines += block.split(separator: "\n").flatMap { Self.textLines(String($0)) }
        }
        return lines
    }

    /// Ends `text` with a full stop unless it ends with punctuation already.
    static func sentence(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let last = trimmed.last, !".!?:".contains(last) else { return trimmed }
        return trimmed + "."
    }

    /// Free text as mdoc text lines: one sentence per line (mdoc's rule, so sentence spacing
    /// comes out right), each escaped.
    static func textLines(_ text: String) -> [String] {
        var lines: [String] = []
        var current = ""
        let characters = Array(text.trimmingCharacters(in: .whitespaces))
        for (index, character) in characters.enumerated() {
            current.append(character)
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            if ".!?".contains(character), next == " " {
                lines.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespaces)
        if !rest.isEmpty { lines.append(rest) }
        return lines.map(escape)
    }

    /// Makes free text safe as an mdoc text line: backslashes as `\e`, and a leading `.` or `'`
    /// (which would start a macro) guarded by `\&`.
    static func escape(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\e")
        if escaped.hasPrefix(".") || escaped.hasPrefix("'") { return "\\&" + escaped }
        return escaped
    }
}
