import NSCore

/// The witness cosignatures ns-node holds: per configured witness, the newest one it got and
/// verified, with the checkpoint body it cosigns. Bounded by `WITNESSES` (one entry per witness);
/// kept in memory, so after a restart the checkpoint of the day is witnessed afresh.
public actor WitnessCosignatures {
    private struct Kept {
        let body: String
        let line: String
    }

    /// Witness names in `WITNESSES` order, so the served lines come in a stable order.
    private let order: [String]
    private var kept: [String: Kept] = [:]

    public init(witnesses: [String]) {
        order = witnesses
    }

    /// Keeps `line` (one signature line, without its newline), `witness`'s verified cosignature
    /// of the checkpoint whose body is `body`, in place of any older one.
    func keep(witness: String, body: String, line: String) {
        kept[witness] = Kept(body: body, line: line)
    }

    /// `note` (a signed checkpoint) with every held cosignature of exactly its body appended as
    /// further signature lines (c2sp.org/signed-note): a witness whose newest cosignature is for
    /// another checkpoint adds nothing, so the note is served at once with the cosignatures at hand.
    public func cosigned(_ note: String) -> String {
        guard let body = Checkpoint.body(ofNote: note) else { return note }
        let lines = order.compactMap { kept[$0] }.filter { $0.body == body }.map { $0.line + "\n" }
        return note + lines.joined()
    }
}
