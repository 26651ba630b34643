import Foundation
import NSCore

/// The compose witness variant's key as a file, and the public values that tie the witness and
/// ns-node together, made in one step so they cannot disagree: the witness accepts ns-node's
/// checkpoints (`WITNESS_LOGS`, from the log's `.env`) and ns-node verifies the witness's
/// cosignatures (`WITNESSES`, from the new key). Only public values are printed, never the seed.
enum WitnessSecretFiles {
    /// What was written and the lines for `compose/.env` (and for clients: `NS_WITNESSES`).
    struct Written: Sendable {
        let file: String
        let backup: String?
        /// `NAME=value` lines, in the order they are printed.
        let settings: [(name: String, value: String)]
    }

    /// Reads ns-node's origin and checkpoint key from the log's `.env` at `envFile`, writes a new
    /// seed to `folder/witness_signing_key` (0600; the folder 0700 when created), and returns the
    /// settings. Without `replacing` an existing key file is left alone and nothing is written.
    static func write(into folder: String, name: String, envFile: String, replacing: Bool, now: Date) throws -> Written {
        let log = try logKey(envFile: envFile)
        let path = (folder as NSString).appendingPathComponent(DeploymentSecret.witnessSigningKey.fileName)
        if !replacing && FileManager.default.fileExists(atPath: path) {
            throw CommandFailure("\(path) already exists; pass --force to replace it (the old key is kept as a backup, and clients must pin the new one)")
        }
        try PrivateFile.makeFolder(folder)
        let key = LedgerKey(generatingNamed: name)
        let backup = try PrivateFile.write(key.exportSeed(), to: path, replacing: replacing, now: now)
        let vkey = CosignerKey(name: name, key: key).verifier.vkey
        return Written(file: path, backup: backup, settings: [
            (WitnessDeployment.nameVariable, name),
            (WitnessDeployment.logsVariable, "\(log.origin)=\(log.publicKey.base64)"),
            (WitnessDeployment.witnessesVariable, WitnessDeployment.witnessesEntry(name: name, verifierKey: vkey)),
            (WitnessRequirement.environmentVariable, "\(name)=\(vkey)"),
        ])
    }

    /// ns-node's checkpoint origin (`LEDGER_ORIGIN`, else the default) and public key
    /// (`NS_PUBLIC_KEY`, else derived from `NS_SIGNING_KEY`) as the log's `.env` holds them.
    private static func logKey(envFile: String) throws -> (origin: String, publicKey: LedgerPublicKey) {
        let values: [String: String]
        do {
            guard let file = try DotEnvFile.load(path: envFile) else {
                throw CommandFailure("\(envFile) does not exist; --witness-secrets reads ns-node's key from the log's .env: run `nsctl secrets gen --env-file \(envFile)` first, or pass --env-file")
            }
            values = file.values
        } catch let error as ConfigurationError {
            throw CommandFailure(error.description)
        }
        let origin = values["LEDGER_ORIGIN"].flatMap { $0.isEmpty ? nil : $0 } ?? LedgerSettings.defaultOrigin
        if let text = values["NS_PUBLIC_KEY"], !text.isEmpty {
            guard let key = LedgerPublicKey(base64: text) else {
                throw CommandFailure("NS_PUBLIC_KEY in \(envFile) is not a base64 Ed25519 public key; copy it from the file `nsctl secrets gen` wrote")
            }
            return (origin, key)
        }
        guard let seed = values["NS_SIGNING_KEY"], !seed.isEmpty else {
            throw CommandFailure("\(envFile) holds neither NS_PUBLIC_KEY nor NS_SIGNING_KEY; pass --env-file with the log's .env (the one `nsctl secrets gen` wrote)")
        }
        do {
            return (origin, try LedgerKey(name: "NS_SIGNING_KEY", seedBase64: seed).publicKey)
        } catch {
            throw CommandFailure("NS_SIGNING_KEY in \(envFile) is not a base64 Ed25519 seed; regenerate the file with `nsctl secrets gen`")
        }
    }
}
