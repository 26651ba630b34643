import Foundation

/// Runs another program to completion (tar, or one of our binaries for `generate-docs`) and
/// collects its output. Arguments never carry secrets: they are visible in `ps`.
enum ExternalCommand {
    struct Outcome {
        let status: Int32
        let stdout: Data
        /// The first line of stderr, for error messages.
        let firstErrorLine: String?
    }

    /// `executable` is a path, or a bare name looked up on `PATH`.
    static func run(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        if executable.contains("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        // stderr goes to a scratch file: a pipe nobody reads while stdout is drained could fill
        // and stall the child.
        let errorPath = (NSTemporaryDirectory() as NSString)
            .appendingPathComponent("nsctl-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max)).err")
        guard FileManager.default.createFile(atPath: errorPath, contents: nil, attributes: [.posixPermissions: 0o600]),
              let errorFile = FileHandle(forWritingAtPath: errorPath)
        else {
            throw CommandFailure("cannot run \(executable): cannot create a scratch file in \(NSTemporaryDirectory()) (set TMPDIR to a writable folder)")
        }
        // A scratch file in the temporary folder: one left behind harms nothing.
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errorFile
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw CommandFailure("cannot run \(executable): \(error.localizedDescription)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // Unreadable captured stderr only leaves the exit status to tell what happened.
        let complaint = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        return Outcome(status: process.terminationStatus, stdout: data,
                       firstErrorLine: complaint.split(whereSeparator: \.isNewline).first.map(String.init))
    }
}
