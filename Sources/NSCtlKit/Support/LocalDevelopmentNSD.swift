import ArgumentParser
import Foundation
import NSCore
import Synchronization

/// `--data-dir`: where nsctl looks for a local development nsd's files.
struct LocalNSDOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"),
            help: ArgumentHelp("Data folder of a local development nsd, whose secrets and checkpoint key are used when no flag, environment or .env gives them. Env: DATA_DIR (default ./data).",
                               valueName: "path"))
    var dataDir: String?

    /// The development nsd there, if any.
    func find(source: ConfigurationSource) -> LocalDevelopmentNSD? {
        LocalDevelopmentNSD.find(dataDir: dataDir, source: source)
    }
}

/// The files a development nsd keeps in its data folder (secrets it generated, its checkpoint
/// key), read so that nsctl works next to it with no configuration. Used only where nothing
/// else gives the value, and never when nsctl's own settings say `NODE_ENV=production`; each
/// use is said once on stderr, naming the file, never the value.
struct LocalDevelopmentNSD {
    let dataDirectory: String

    /// The data folder (`--data-dir`, `DATA_DIR`, `./data`) when it holds a development nsd's files.
    static func find(dataDir: String?, source: ConfigurationSource) -> LocalDevelopmentNSD? {
        guard source.string("NODE_ENV")?.lowercased() != DaemonSettings.Mode.production.rawValue else { return nil }
        let folder = dataDir ?? source.string("DATA_DIR") ?? DataLayout.defaultDirectory
        guard let marker = DataLayout(dataDirectory: folder).developmentSecret("INTERNAL_TOKEN"),
              FileManager.default.fileExists(atPath: marker) else { return nil }
        return LocalDevelopmentNSD(dataDirectory: folder)
    }

    /// The secret `name` a development nsd generated and keeps here, if it did.
    func secret(_ name: String) -> Secret? {
        guard let path = DataLayout(dataDirectory: dataDirectory).developmentSecret(name) else { return nil }
        guard let value = Self.read(path) else { return nil }
        Self.say("nsctl: using \(name) of the development nsd in \(dataDirectory) (\(path))")
        return Secret(value, origin: .developmentFile(path))
    }

    /// ns-node's checkpoint public key, from the seed a development ns-node keeps here.
    func checkpointPublicKey(origin: String) -> LedgerPublicKey? {
        let path = DataLayout(dataDirectory: dataDirectory).checkpointKey
        // A seed that is not a key pins nothing, as when there is none: the caller then asks for the key.
        guard let seed = Self.read(path), let key = try? LedgerKey(name: origin, seedBase64: seed) else { return nil }
        Self.say("nsctl: pinning the checkpoint key of the development ns-node in \(dataDirectory) (\(path))")
        return key.publicKey
    }

    private static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return text
    }

    private static let said = Mutex<Set<String>>([])

    /// Each line once per process, on stderr (stdout may be piped into another program).
    private static func say(_ line: String) {
        guard said.withLock({ $0.insert(line).inserted }) else { return }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
