import Foundation

/// A typed "yes" on a terminal, or `--yes`; never a silent default for destructive commands.
enum Confirmation {
    /// Returns when confirmed; otherwise fails saying nothing was done. `refusal` names what
    /// did not happen ("deleted", "restored").
    static func require(yes: Bool, question: String, refusal: String = "deleted") throws {
        if yes { return }
        guard isatty(STDIN_FILENO) == 1 else {
            throw CommandFailure("refusing to act without confirmation: stdin is not a terminal; pass --yes")
        }
        FileHandle.standardError.write(Data("\(question) Type yes to continue: ".utf8))
        guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else { throw CommandFailure("not confirmed; nothing was \(refusal)") }
    }
}
