import Foundation

/// Progress lines on stderr, and only when stderr is a terminal: cron mail and scripts get
/// nothing but the result on stdout and failures on stderr.
struct BackupProgress: Sendable {
    let enabled: Bool

    static let terminal = BackupProgress(enabled: isatty(STDERR_FILENO) == 1)
    static let silent = BackupProgress(enabled: false)

    func step(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("… \(text)\n".utf8))
    }
}
