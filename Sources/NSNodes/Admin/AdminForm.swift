import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body, the only kind the dashboard's forms send.
struct AdminForm: Sendable {
    let fields: [String: String]

    subscript(name: String) -> String? { fields[name] }

    /// Reads at most 64 KiB; anything else is a bad request.
    static func read(_ request: Request) async throws -> AdminForm {
        guard request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true else {
            throw AdminError.badInput("forms must be sent as application/x-www-form-urlencoded")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: 64 * 1024)
        } catch {
            throw AdminError.badInput("the form is larger than 64 KiB")
        }
        return AdminForm(encoded: String(buffer: buffer))
    }

    init(encoded: String) {
        var fields: [String: String] = [:]
        for pair in encoded.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { part in
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if let name = parts.first, !name.isEmpty, fields[name] == nil { fields[name] = parts.count == 2 ? parts[1] : "" }
        }
        self.fields = fields
    }

    init(fields: [String: String]) {
        self.fields = fields
    }
}
