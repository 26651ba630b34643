import Foundation

/// One witness ns-node sends its checkpoints to (`WITNESSES`): the witness's key name, where it
/// listens, and the key its cosignatures must verify with.
public struct WitnessPeer: Sendable, Equatable {
    /// The witness's key name, the name on its cosignature lines (`WITNESS_NAME` on the witness).
    public var name: String { verifier.name }
    /// The witness's URL prefix: requests go to `<url>/add-checkpoint` (c2sp.org/tlog-witness).
    public let url: URL
    /// What each cosignature it returns is checked with before ns-node keeps it.
    public let verifier: CosignatureVerifier

    public init(url: URL, verifier: CosignatureVerifier) {
        self.url = url
        self.verifier = verifier
    }

    /// The most witnesses one ns-node sends to: each costs one request per checkpoint.
    public static let maxCount = 32

    static let variable = "WITNESSES"
    static let form = "name@url=vkey entries separated by commas, each vkey as its witness logs it in `witness ready` (verifierKey; a base64 public key also works), e.g. witness.example.com/w1@https://witness.example.com=witness.example.com/w1+1a2b3c4d+BK..."

    /// `name@url=vkey,...`: `name` the witness's key name, `url` an http(s) URL without query or
    /// fragment, `vkey` its signed-note verifier key (`<name>+<key id>+<base64 key>`), whose name
    /// must be `name`, or its base64 public key (``CosignatureVerifier/init(name:key:)``). The URL is never echoed in an error: it may carry a password.
    public static func parseList(_ text: String) throws(ConfigurationError) -> [WitnessPeer] {
        let entries = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard entries.count <= maxCount else {
            throw ConfigurationError(variable: variable, problem: "lists \(entries.count) witnesses, more than \(maxCount)", fix: "list at most \(maxCount)")
        }
        var peers: [WitnessPeer] = []
        for (index, entry) in entries.enumerated() {
            let peer = try parse(entry, position: "entry \(index + 1)")
            guard !peers.contains(where: { $0.name == peer.name }) else {
                throw ConfigurationError(variable: variable, problem: "names the witness \(peer.name) twice", fix: "list each witness once")
            }
            peers.append(peer)
        }
        return peers
    }

    private static func parse(_ entry: String, position: String) throws(ConfigurationError) -> WitnessPeer {
        guard !entry.isEmpty else { throw ConfigurationError(variable: variable, problem: "\(position) is empty", fix: "write \(form)") }
        // The name has no `@`; the URL has no `=` (no query); the vkey starts after the first `=`.
        guard let at = entry.firstIndex(of: "@"), let equals = entry[at...].firstIndex(of: "=") else {
            throw ConfigurationError(variable: variable, problem: "\(position) is not name@url=vkey", fix: "write \(form)")
        }
        let name = String(entry[..<at])
        guard CosignatureV1.isValidKeyName(name) else {
            throw ConfigurationError(variable: variable, problem: "\(position) has no valid witness name before @ (1 to 255 characters, no spaces or +)", fix: "write \(form)")
        }
        guard let url = URL(string: String(entry[entry.index(after: at)..<equals])), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil
        else {
            throw ConfigurationError(variable: variable, problem: "\(position) (\(name)) has no valid http(s) URL between @ and =", fix: "write \(form)")
        }
        guard let verifier = CosignatureVerifier(name: name, key: String(entry[entry.index(after: equals)...])) else {
            throw ConfigurationError(variable: variable, problem: "\(position) (\(name)) has no valid key after = (a vkey for this name, or its base64 Ed25519 public key)",
                                     fix: "write \(form)")
        }
        return WitnessPeer(url: url, verifier: verifier)
    }
}

extension CosignatureVerifier {
    /// A witness pinned as `name` with `key`: its vkey (`<name>+<key id>+<base64 key>`, as the
    /// witness logs it; its name must be `name`) or its bare base64 Ed25519 public key. `nil`
    /// when `key` is neither, or a vkey of another name.
    public init?(name: String, key: String) {
        if let verifier = CosignatureVerifier(vkey: key) {
            guard verifier.name == name else { return nil }
            self = verifier
        } else {
            guard CosignatureV1.isValidKeyName(name), let publicKey = LedgerPublicKey(base64: key) else { return nil }
            self.init(name: name, publicKey: publicKey)
        }
    }
}
