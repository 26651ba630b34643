import Foundation

/// A command tree as argument-parser describes it with `--experimental-dump-help` (its
/// "ToolInfo" JSON, serialization version 0), decoded into what the man page renderer needs.
/// Reading the dump, rather than linking the command types, lets one renderer document both
/// `nsctl` and `nsd` from their built binaries.
struct CommandDescription: Decodable, Sendable {
    struct Name: Decodable, Sendable {
        enum Kind: String, Decodable, Sendable { case long, short, longWithSingleDash }
        let kind: Kind
        let name: String
    }

    struct Argument: Decodable, Sendable {
        enum Kind: String, Decodable, Sendable { case positional, option, flag }
        let kind: Kind
        let names: [Name]?
        let preferredName: Name?
        let valueName: String?
        let defaultValue: String?
        let allValues: [String]?
        let isOptional: Bool
        let isRepeating: Bool
        let abstract: String?
        let discussion: String?
        let shouldDisplay: Bool
    }

    let commandName: String
    let abstract: String?
    let discussion: String?
    let shouldDisplay: Bool
    let defaultSubcommand: String?
    let arguments: [Argument]?
    let subcommands: [CommandDescription]?

    private struct Envelope: Decodable {
        let serializationVersion: Int
        let command: CommandDescription
    }

    /// Decodes a dump; fails on a serialization version this renderer was not written for.
    static func decode(dump: Data) throws -> CommandDescription {
        let envelope = try JSONDecoder().decode(Envelope.self, from: dump)
        guard envelope.serializationVersion == 0 else {
            throw CommandFailure("--experimental-dump-help has serialization version \(envelope.serializationVersion); the man page renderer reads 0")
        }
        return envelope.command
    }

    /// The arguments worth documenting: shown in `--help`, and not `--help`/`--version` themselves.
    var documentedArguments: [Argument] {
        (arguments ?? []).filter { argument in
            argument.shouldDisplay && !["help", "version"].contains(argument.preferredName?.name ?? "")
        }
    }

    /// Subcommands worth documenting: shown in `--help`, and not argument-parser's `help`.
    var documentedSubcommands: [CommandDescription] {
        (subcommands ?? []).filter { $0.shouldDisplay && $0.commandName != "help" }
    }
}
