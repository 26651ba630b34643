import ArgumentParser

/// Options every command that talks to a node shares: the per-request timeout and the dotenv file.
struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Seconds to wait for each request.", valueName: "seconds"))
    var timeout: Double = 10

    @Option(help: ArgumentHelp("dotenv file read after the environment (default ./.env if present).", valueName: "path"))
    var envFile: String?

    func validate() throws {
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
    }

    var requestTimeout: Duration { .milliseconds(Int64(timeout * 1000)) }
}
