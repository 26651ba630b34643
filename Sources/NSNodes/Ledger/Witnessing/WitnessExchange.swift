import Foundation
import NIOHTTP1
import NSCore
import NSNodeClient

/// One `POST <url>/add-checkpoint` to a witness (c2sp.org/tlog-witness) and what its answer
/// means for ns-node. A cosignature is returned only once it verifies with the witness's
/// configured key, so nothing unverified is ever served.
struct WitnessExchange: Sendable {
    /// The deadline of one request, connecting included: a witness that is down or hung costs
    /// its own loop this long at most, and never an append.
    static let requestTimeout = Duration.seconds(5)
    /// The largest answer read: a few signature lines, or a problem document.
    static let maxAnswerBytes = 16 * 1024

    enum Outcome: Sendable, Equatable {
        /// The witness's verified cosignature line, without its newline.
        case cosigned(line: String)
        /// 409 `text/x.tlog.size`: the size the witness last cosigned is not the old size sent.
        case conflict(witnessSize: UInt64)
        /// 422: the witness holds a tree this checkpoint does not extend: a fork alarm.
        case inconsistent(String)
        /// Any other refusal (400, 403, 404, 409 without a size, 5xx), with the witness's words.
        case refused(String)
        /// No answer within ``requestTimeout``.
        case unreachable(String)
        /// 200 without a line that verifies with the configured key.
        case badCosignature(String)

        /// What happened, for the log line.
        var detail: String {
            switch self {
            case .cosigned(let line): line
            case .conflict(let size): "the witness last cosigned size \(size)"
            case .inconsistent(let text), .refused(let text), .unreachable(let text), .badCosignature(let text): text
            }
        }

        /// The `outcome` label of `ns_witness_requests_total`.
        var label: String {
            switch self {
            case .cosigned: "cosigned"
            case .conflict: "conflict"
            case .inconsistent: "inconsistent"
            case .refused: "refused"
            case .unreachable: "unreachable"
            case .badCosignature: "bad_cosignature"
            }
        }
    }

    let peer: WitnessPeer
    let client: NodeClient

    /// Sends the checkpoint `note` (whose body is `body`) with the consistency `proof` from `oldSize`.
    func send(note: String, body: String, oldSize: UInt64, proof: [MerkleHash]) async -> Outcome {
        var request = NodeRequest(.POST, node: peer.name, base: peer.url, path: "/add-checkpoint", timeout: Self.requestTimeout,
                                  jsonBody: AddCheckpointRequest(oldSize: oldSize, proof: proof, note: note).encoded)
        request.bodyContentType = "text/plain; charset=utf-8"
        request.maxBodyBytes = Self.maxAnswerBytes
        let reply: NodeReply
        do {
            reply = try await client.send(request)
        } catch {
            return .unreachable(error.description)
        }
        switch reply.status {
        case 200:
            do {
                return .cosigned(line: try Self.cosignatureLine(reply.text, body: body, verifier: peer.verifier))
            } catch {
                return .badCosignature(error.description)
            }
        case 409:
            // The body is the witness's size and a newline (text/x.tlog.size).
            let text = reply.text
            guard text.hasSuffix("\n"), let size = UInt64(text.dropLast()) else { return .refused(reply.problem.summary) }
            return .conflict(witnessSize: size)
        case 422: return .inconsistent(reply.problem.summary)
        default: return .refused(reply.problem.summary)
        }
    }

    /// The line of `answer` that is `verifier`'s valid cosignature of `body`. Lines under other
    /// names or keys are skipped, as signed-note allows; a line under this key that does not verify
    /// is refused outright.
    static func cosignatureLine(_ answer: String, body: String, verifier: CosignatureVerifier) throws(CosignatureError) -> String {
        for line in answer.split(separator: "\n") {
            do {
                _ = try verifier.verifiedTimestamp(in: body + "\n" + line + "\n")
                return String(line)
            } catch {
                guard case .missing = error else { throw error }
            }
        }
        throw .missing(verifier.name)
    }
}
