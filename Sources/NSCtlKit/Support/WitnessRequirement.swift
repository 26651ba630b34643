import ArgumentParser
import NSCore

/// What `--witness name=vkey ... --min-witnesses N` (`nsctl verify`, `nsctl monitor`) asks of a
/// checkpoint: valid cosignatures (c2sp.org/tlog-cosignature) by at least `minimum` of the pinned
/// witnesses, so a checkpoint shown only to this client (a split view) is refused unless those
/// witnesses saw it too. The monitor runs it as one of its ``CheckpointPolicy/checks``.
struct WitnessRequirement: CheckpointCheck {
    let witnesses: [CosignatureVerifier]
    let minimum: Int

    /// Where clients read the witnesses they pin when no `--witness` is given (environment or `.env`).
    static let environmentVariable = "NS_WITNESSES"

    /// The exit status of a bad `--witness` or `--min-witnesses` (EX_USAGE, as argument-parser uses).
    static let usageError = ExitCode.validationFailure.rawValue

    /// Reads `--witness` values (`name=vkey` or `name=base64key`), else `NS_WITNESSES` (the same,
    /// comma-separated); nil when neither names a witness. `minimum` defaults to every witness named.
    static func parse(_ flags: [String], environment: String?, minimum: Int?) throws(CommandFailure) -> WitnessRequirement? {
        let entries = flags.isEmpty ? (environment ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : flags
        let origin = flags.isEmpty ? environmentVariable : "--witness"
        guard !entries.isEmpty else {
            guard minimum == nil else { throw CommandFailure("--min-witnesses needs the witnesses: pass --witness name=vkey (repeatable) or set NS_WITNESSES", exitCode: usageError) }
            return nil
        }
        var witnesses: [CosignatureVerifier] = []
        for entry in entries {
            guard let equals = entry.firstIndex(of: "="),
                  let verifier = CosignatureVerifier(name: String(entry[..<equals]), key: String(entry[entry.index(after: equals)...]))
            else {
                // The entry is public key material, safe to echo.
                throw CommandFailure("\(origin) \(entry) is not name=vkey; pass the witness's name and the verifierKey it logs (or its base64 public key)",
                                     exitCode: usageError)
            }
            guard !witnesses.contains(where: { $0.name == verifier.name }) else {
                throw CommandFailure("\(origin) names the witness \(verifier.name) twice; name each once", exitCode: usageError)
            }
            witnesses.append(verifier)
        }
        let required = minimum ?? witnesses.count
        guard (1...witnesses.count).contains(required) else {
            throw CommandFailure("--min-witnesses \(required) must be from 1 to the \(witnesses.count) witnesses named", exitCode: usageError)
        }
        return WitnessRequirement(witnesses: witnesses, minimum: required)
    }

    /// The names of the pinned witnesses whose cosignature of `note` verifies, when there are at
    /// least ``minimum``; otherwise a failure (exit 1) naming how many verified and which are missing.
    func check(_ note: String) throws(CommandFailure) -> [String] {
        do throws(CheckpointRefusal) {
            return try cosigners(of: note)
        } catch {
            throw CommandFailure(error.reason)
        }
    }

    func check(note: String, checkpoint: Checkpoint) throws(CheckpointRefusal) {
        _ = try cosigners(of: note)
    }

    /// The names of the pinned witnesses whose cosignature of `note` verifies, when there are at
    /// least ``minimum``; otherwise the refusal naming how many verified and which are missing.
    private func cosigners(of note: String) throws(CheckpointRefusal) -> [String] {
        var valid: [String] = []
        var missing: [String] = []
        for witness in witnesses {
            do {
                _ = try witness.verifiedTimestamp(in: note)
                valid.append(witness.name)
            } catch {
                missing.append(error == .missing(witness.name) ? witness.name : "\(witness.name) (\(error))")
            }
        }
        guard valid.count >= minimum else {
            throw CheckpointRefusal("the checkpoint carries \(valid.count) valid cosignature\(valid.count == 1 ? "" : "s") of the \(minimum) required "
                                    + "from the pinned witnesses; missing: \(missing.joined(separator: ", "))", kind: .cosignatures)
        }
        return valid
    }
}
