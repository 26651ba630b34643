import Foundation
import NSTestSupport
import Testing

/// Hostile input against a real gateway: schemathesis (PyPI) generates valid and invalid requests
/// from the gateway's own `/openapi.json` and checks every answer against it
/// (Scripts/schemathesis_gateway.sh).
@Suite("the gateway under schemathesis")
struct GatewaySchemathesisTests {
    @Test("schemathesis finds no 5xx and no answer outside the OpenAPI document, with a valid, an invalid and no token")
    func schemathesis() async throws {
        let nsd = try await NSDInstance(environment: ["JWT_SECRET": ClientToken.secret, "RATE_LIMIT_MAX_REQUESTS": "10000000"])
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts/schemathesis_gateway.sh").path
        let gateway = nsd.url("gateway-node", "")
        let modes: [(name: String, token: String)] = [
            ("valid", ClientToken.make(sub: "schemathesis", expiresIn: 3600)),
            ("invalid", ClientToken.make(sub: "schemathesis", secret: String(repeating: "not-the-secret-", count: 4))),
            ("missing", ""),
        ]
        for mode in modes {
            let run = try await Self.run(try Tools.which("bash"), [script, gateway, mode.token])
            #expect(run.status == 0, "schemathesis with the \(mode.name) token failed: \(run.output.suffix(8000))")
            let cases = Self.generatedCases(run.output)
            #expect(cases > 0, "schemathesis ran no test case with the \(mode.name) token: \(run.output.suffix(3000))")
            // Without a valid token every /api operation can only answer 401, which schemathesis
            // reports as a warning; with one it must not, or the run never got past authentication.
            let refused = run.output.contains("Authentication failed")
            #expect(refused == (mode.name != "valid"), "\(mode.name) token: authentication warning \(refused): \(run.output.suffix(3000))")
            print("schemathesis, \(mode.name) token: \(cases) test cases")
        }
        #expect(await nsd.stop() == 0)
    }

    /// `Tools.run` on a thread of its own: a run takes seconds, too long to hold one of the few
    /// threads every concurrently running test shares.
    static func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try Tools.run(executable, arguments) }) }.start()
        }
    }

    /// The number in schemathesis' summary line "  843 generated, 0 found ..." (0 when absent).
    static func generatedCases(_ output: String) -> Int {
        let counts = output.split(separator: "\n").compactMap { line -> Int? in
            guard let match = line.firstMatch(of: /^\s*(\d+) generated\b/) else { return nil }
            return Int(match.1)
        }
        return counts.last ?? 0
    }
}
