import Foundation

/// Colour for people at a terminal, and only there: never when stdout is a pipe or file, never
/// when `NO_COLOR` is set to anything (no-color.org), never on a `dumb` terminal.
enum Terminal {
    enum Colour: String {
        case red = "31", green = "32", yellow = "33", grey = "90"
    }

    static let usesColour: Bool = {
        let environment = ProcessInfo.processInfo.environment
        if let noColour = environment["NO_COLOR"], !noColour.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isatty(STDOUT_FILENO) == 1
    }()

    static func paint(_ text: String, _ colour: Colour) -> String {
        usesColour ? "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m" : text
    }
}
