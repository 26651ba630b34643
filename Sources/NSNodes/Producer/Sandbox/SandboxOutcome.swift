import NSCore

/// What running one snippet did, as it goes into the artifact's ledger transaction: how it
/// ended, how long it took, and its output (hashes of everything captured, plus excerpts).
public struct SandboxOutcome: Sendable, Equatable {
    public var language: String
    /// The exit status when the snippet exited on its own.
    public var exitCode: Int32?
    /// The signal that ended it (9 when the sandbox killed it at the time limit).
    public var signal: Int32?
    public var timedOut: Bool
    public var durationMs: Int64
    public var stdout: CapturedOutput
    public var stderr: CapturedOutput
    /// The ``SandboxIsolation/Mode`` it ran in: `namespaces` or `directory`.
    public var isolation: String
    /// Names of secrets' environment variables the snippet mentions without reading them (a
    /// comment, a string): recorded, not refused (see ``SecretReferenceScan``).
    public var secretMentions: [String] = []

    /// The longest excerpt of each stream kept in the transaction, in characters; the hash
    /// covers all captured bytes (up to ``CodeSandbox/captureLimit``).
    public static let excerptCharacters = 1_024

    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "language": .string(language),
            "timedOut": .bool(timedOut),
            "durationMs": .int(durationMs),
            "isolation": .string(isolation),
            "stdout": stdout.json,
            "stderr": stderr.json,
        ]
        if let exitCode { fields["exitCode"] = .int(Int64(exitCode)) }
        if let signal { fields["signal"] = .int(Int64(signal)) }
        if !secretMentions.isEmpty { fields["secretMentions"] = .array(secretMentions.map(JSONValue.string)) }
        return .object(fields)
    }
}

/// One output stream as far as it was kept: the first bytes up to the capture limit, how many
/// bytes the snippet wrote in all, and whether anything was dropped.
public struct CapturedOutput: Sendable, Equatable {
    public var kept: [UInt8]
    public var totalBytes: Int
    public var truncated: Bool { totalBytes > kept.count }

    public var json: JSONValue {
        let text = String(decoding: kept, as: UTF8.self)
        return .object([
            "sha256": .string(MerkleHash.sha256(kept).hex),
            "bytes": .int(Int64(totalBytes)),
            "truncated": .bool(truncated || text.count > SandboxOutcome.excerptCharacters),
            "excerpt": .string(String(text.prefix(SandboxOutcome.excerptCharacters))),
        ])
    }
}
