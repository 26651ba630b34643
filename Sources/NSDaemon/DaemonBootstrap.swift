import Foundation
import Logging
import NSCore
import NSNodes
import ServiceLifecycle

/// Everything between parsed flags and a running ServiceGroup: logging, stores, the group itself.
struct DaemonBootstrap {
    let settings: DaemonSettings
    let sink: LogSink

    /// Prints the one-line configuration error and exits with `EX_CONFIG`.
    static func fail(_ error: ConfigurationError) -> Never {
        FileHandle.standardError.write(Data("nsd: \(error.description)\n".utf8))
        exit(ConfigurationError.exitCode)
    }

    /// Runs until shutdown and returns the process exit status.
    func run() async -> Int32 {
        let level = settings.logLevel
        let sink = self.sink
        LoggingSystem.bootstrap { label in JSONLogHandler(service: label, level: level, sink: sink) }
        let logger = Logger(label: "nsd")
        for notice in settings.notices { logger.warning("\(notice)") }

        let services: [any Service]
        do {
            services = try await NodeHost(settings: settings, makeLogger: { Logger(label: $0) }).services()
        } catch {
            sink.flush()  // the notices above, before the process exits
            Self.fail(error)
        }
        logger.info("starting", metadata: [
            "version": .string(NeuroSwarmVersion.current),
            "roles": .array(settings.roles.map { .string($0.rawValue) }),
            "mode": .string(settings.mode.rawValue),
            "dataDir": .string(settings.dataDirectory),
        ])
        var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = settings.shutdownTimeout
        configuration.maximumCancellationDuration = .seconds(5)
        // Log lines are written by the sink's own thread: the last ones must be out before exit.
        defer { sink.flush() }
        do {
            try await ServiceGroup(configuration: configuration).run()
            logger.info("stopped")
            return 0
        } catch {
            logger.critical("stopped after a failure", metadata: ["error": .string(String(describing: error))])
            return 1
        }
    }
}
