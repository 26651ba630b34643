import ArgumentParser
import Foundation
import NSCore

extension NSCtl {
    /// `nsctl secrets`: the deployment's `.env`.
    struct Secrets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate or rotate the secrets in a .env file.",
            subcommands: [Generate.self])
    }
}

extension NSCtl.Secrets {
    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gen",
            abstract: "Write a .env with fresh secrets and keys, or rotate chosen secrets in an existing one.",
            discussion: """
                Without --rotate: writes JWT_SECRET, ADMIN_JWT_SECRET, SESSION_SECRET, INTERNAL_TOKEN and \
                LEDGER_SUBMITTER_KEY (32 random bytes as 64 hex characters each), GRAFANA_ADMIN_PASSWORD, NS_SIGNING_KEY and \
                VP_SIGNING_KEY (Ed25519 seeds) with the validator set, and every other setting with its \
                default, for NODE_ENV=production. The file is created with mode 0600 and never \
                replaced without --force; with --force the old file is kept as FILE.backup-<time>.

                With --rotate NAME (repeatable): replaces only those secrets in the existing file \
                (a backup is kept). Rotating JWT_SECRET, ADMIN_JWT_SECRET, SESSION_SECRET or INTERNAL_TOKEN moves the old \
                value to NAME_PREVIOUS, which the nodes accept alongside the new one while they restart \
                one by one (tokens and session cookies signed with it keep working); remove that line \
                afterwards. Every secret written gets a comment line above it dating it \
                ("# NAME generated|rotated <UTC time>"), which `nsctl env check` and `nsctl health` \
                compare with SECRET_MAX_AGE_DAYS.
                Rotatable: \(EnvTemplate.rotatable.keys.sorted().joined(separator: ", ")).

                With --postgres-secrets DIR (the compose PostgreSQL variant): writes only DIR/postgres_password \
                (a fresh password) and DIR/database_url (the URL the nodes reach the postgres service by, \
                holding that password), 0600 each, creating DIR with mode 0700; no .env. Existing files \
                are replaced only with --force, which keeps them as backups.

                With --witness-secrets DIR (the compose witness variant): writes only DIR/witness_signing_key \
                (a fresh Ed25519 seed, 0600) and prints, for compose/.env, WITNESS_NAME (--witness-name), \
                WITNESS_LOGS (ns-node's LEDGER_ORIGIN and NS_PUBLIC_KEY, read from --env-file), WITNESSES (the \
                witness's URL on the compose network and its verifier key) and, for whoever runs nsctl verify \
                or nsctl monitor, NS_WITNESSES. Only public values are printed. An existing key is replaced \
                only with --force; clients must then pin the new verifier key.
                """)

        @Option(help: ArgumentHelp("The file to write.", valueName: "path"))
        var envFile = ".env"

        @Flag(help: "Replace an existing file (the old one is kept as a 0600 backup).")
        var force = false

        @Option(name: .customLong("rotate"), help: ArgumentHelp("Replace only this secret in the existing file (repeatable).", valueName: "NAME"))
        var rotate: [String] = []

        @Option(help: ArgumentHelp("Write only the compose PostgreSQL variant's postgres_password and database_url into this folder.", valueName: "dir"))
        var postgresSecrets: String?

        @Option(help: ArgumentHelp("Write only the compose witness variant's witness_signing_key into this folder and print its settings.", valueName: "dir"))
        var witnessSecrets: String?

        @Option(help: ArgumentHelp("The witness's key name on its cosignature lines (with --witness-secrets).", valueName: "name"))
        var witnessName = WitnessDeployment.defaultName

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func validate() throws {
            for name in rotate where EnvTemplate.rotatable[name] == nil {
                throw ValidationError("--rotate \(name) is not a rotatable secret; choose from \(EnvTemplate.rotatable.keys.sorted().joined(separator: ", "))")
            }
            if force && !rotate.isEmpty { throw ValidationError("--force and --rotate do not go together: --rotate edits the existing file") }
            if postgresSecrets != nil && !rotate.isEmpty {
                throw ValidationError("--postgres-secrets and --rotate do not go together: --postgres-secrets writes new files and no .env")
            }
            if witnessSecrets != nil && (!rotate.isEmpty || postgresSecrets != nil) {
                throw ValidationError("--witness-secrets goes alone: it writes the witness's key and reads --env-file, which it does not change")
            }
            if witnessSecrets == nil && witnessName != WitnessDeployment.defaultName {
                throw ValidationError("--witness-name goes with --witness-secrets, which writes the witness's key under that name")
            }
            if !CosignatureV1.isValidKeyName(witnessName) {
                throw ValidationError("--witness-name must be 1 to 255 characters without spaces or +, e.g. witness.example.com/neuroswarm")
            }
        }

        func run() async throws {
            try await reportingFailures { print(try writeEnvFile(now: Date())) }
        }

        /// Writes the file, or rotates the named secrets in it, and returns the report to print:
        /// file names and secret names, never a secret's value. `now` names the backup of a replaced
        /// file and dates the secrets written (their ``SecretStamp`` lines).
        func writeEnvFile(now: Date) throws -> String {
            if let postgresSecrets { return try writePostgresSecrets(into: postgresSecrets, now: now) }
            if let witnessSecrets { return try writeWitnessSecrets(into: witnessSecrets, now: now) }
            let backup: String?
            if rotate.isEmpty {
                backup = try PrivateFile.write(EnvTemplate.render(now: now), to: envFile, replacing: force, now: now)
            } else {
                backup = try rotateSecrets(now: now)
            }
            if json {
                var fields: [String: JSONValue] = ["file": .string(envFile), "rotated": .array(rotate.map { .string($0) })]
                if let backup { fields["backup"] = .string(backup) }
                return String(decoding: CanonicalJSON.encode(.object(fields)), as: UTF8.self)
            }
            var lines = [rotate.isEmpty ? "wrote \(envFile) (mode 0600)" : "rotated \(rotate.joined(separator: ", ")) in \(envFile)"]
            if let backup { lines.append("previous file kept as \(backup)") }
            for name in rotate where EnvTemplate.keepsPrevious.contains(name) {
                lines.append("\(name)_PREVIOUS now holds the old secret: restart the nodes one by one, then remove it (docs/operations.md, Rotating secrets)")
            }
            return lines.joined(separator: "\n")
        }

        private func writePostgresSecrets(into folder: String, now: Date) throws -> String {
            let written = try PostgresSecretFiles.write(into: folder, replacing: force, now: now)
            if json {
                return String(decoding: CanonicalJSON.encode(.object([
                    "files": .array(written.files.map { .string($0) }), "backups": .array(written.backups.map { .string($0) }),
                ])), as: UTF8.self)
            }
            return (["wrote \(written.files.joined(separator: " and ")) (mode 0600)"] + written.backups.map { "previous file kept as \($0)" })
                .joined(separator: "\n")
        }

        private func writeWitnessSecrets(into folder: String, now: Date) throws -> String {
            let written = try WitnessSecretFiles.write(into: folder, name: witnessName, envFile: envFile, replacing: force, now: now)
            if json {
                var fields: [String: JSONValue] = ["file": .string(written.file)]
                if let backup = written.backup { fields["backup"] = .string(backup) }
                fields["settings"] = .object(Dictionary(uniqueKeysWithValues: written.settings.map { ($0.name, JSONValue.string($0.value)) }))
                return String(decoding: CanonicalJSON.encode(.object(fields)), as: UTF8.self)
            }
            let (clients, deployment) = (written.settings.filter { $0.name == WitnessRequirement.environmentVariable },
                                         written.settings.filter { $0.name != WitnessRequirement.environmentVariable })
            return (["wrote \(written.file) (mode 0600)"] + (written.backup.map { ["previous key kept as \($0)"] } ?? [])
                + ["add to compose/.env (public values):"] + deployment.map { "\($0.name)=\($0.value)" }
                + ["for nsctl verify and nsctl monitor (environment or their .env):"] + clients.map { "\($0.name)=\($0.value)" })
                .joined(separator: "\n")
        }

        private func rotateSecrets(now: Date) throws -> String? {
            guard let data = FileManager.default.contents(atPath: envFile), let text = String(data: data, encoding: .utf8) else {
                throw CommandFailure("\(envFile) cannot be read; --rotate edits an existing file (create one with `nsctl secrets gen`)")
            }
            let current: DotEnvFile
            do {
                current = try DotEnvFile(parsing: text, path: envFile)
            } catch {
                throw CommandFailure(error.description)
            }
            var editor = EnvEditor(text: text)
            for name in rotate {
                if EnvTemplate.keepsPrevious.contains(name), let old = current.values[name], !old.isEmpty {
                    editor.set(name + "_PREVIOUS", to: old, after: name)
                }
                editor.set(name, to: EnvTemplate.rotatable[name]!())  // checked in validate()
                editor.record(SecretStamp(name: name, event: .rotated, date: now))
            }
            return try PrivateFile.write(editor.text, to: envFile, replacing: true, now: now)
        }
    }
}
