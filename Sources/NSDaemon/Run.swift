import ArgumentParser
import Foundation
import Logging
import NSCore
import NSNodes
import ServiceLifecycle

extension NSD {
    /// `nsd run`: load settings, open the stores, serve until SIGTERM or SIGINT, shut down gracefully.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the nodes (all four, and the witness when configured, unless --role is given) until SIGTERM or SIGINT.",
            discussion: """
                On SIGTERM or SIGINT the listeners stop accepting, in-flight requests finish (bounded by \
                SHUTDOWN_TIMEOUT_MS), the databases close, and nsd exits 0. With TLS_CERT_FILE and \
                TLS_KEY_FILE set, SIGHUP reloads the certificates without dropping a connection.

                Exit status: 0 after a clean shutdown, \(ConfigurationError.exitCode) for a configuration error, 1 when a node fails.
                """)

        @OptionGroup var options: RunOptions

        func run() async throws {
            let settings: DaemonSettings
            let sink: LogSink
            do {
                let source = try ConfigurationSource.load(flags: options.asVariables, envFile: options.envFile)
                settings = try DaemonSettings.load(roles: options.selectedRoles(source: source), source: source)
                sink = LogSink(file: try settings.logFile.map { path throws(ConfigurationError) in try RotatingFileWriter(path: path) })
            } catch {
                DaemonBootstrap.fail(error)
            }
            let exitCode = await DaemonBootstrap(settings: settings, sink: sink).run()
            if exitCode != 0 { throw ExitCode(exitCode) }
        }
    }
}
