import Foundation
import Hummingbird
import HummingbirdTesting
@testable import NSCore
import NSLedger
import NSQueue
import Testing
@testable import NSNodes

/// The errors of the modules below the nodes say their own HTTP answer (``ProblemError``); a node
/// answers each with exactly that status, problem type, `Retry-After` and field pointers, and a
/// store's reason goes to the log, never to the client.
@Suite("errors say their own answer: status, problem type, Retry-After")
struct ProblemAnswerTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        let error: any ProblemError
        let status: Int
        let slug: String
        var retryAfter: String? = nil
        var check: String? = nil
        var pointer: String? = nil
        var testDescription: String { "\(type(of: error)).\(error) → \(status) \(slug)" }
    }

    static let cases: [Expected] = [
        Expected(error: BlockRejection.height(expected: 5, got: 4), status: 409, slug: "block-height", check: "height"),
        Expected(error: BlockRejection.prevHash, status: 409, slug: "block-prevHash", check: "prevHash"),
        Expected(error: BlockRejection.signature, status: 422, slug: "block-signature", check: "signature"),
        Expected(error: BlockRejection.unavailable("disk I/O error"), status: 503, slug: "block-unavailable", retryAfter: "1", check: "unavailable"),
        Expected(error: LedgerError.mempoolFull(limit: 10), status: 503, slug: "mempool-full", retryAfter: "1"),
        Expected(error: LedgerError.outOfRange("size 9 is beyond the log"), status: 400, slug: "out-of-range"),
        Expected(error: LedgerError.notFound("block 7"), status: 404, slug: "not-found"),
        Expected(error: LedgerError.storage("disk I/O error"), status: 503, slug: "unavailable", retryAfter: "1"),
        Expected(error: ValidatorChangeError.alreadyActive(id: "v1"), status: 409, slug: "validator-already-active"),
        Expected(error: ValidatorChangeError.storage("disk I/O error"), status: 503, slug: "unavailable", retryAfter: "1"),
        Expected(error: JobQueueError.invalid(index: 2, reason: "type is empty"), status: 422, slug: "validation", pointer: "/2"),
        Expected(error: JobQueueError.notFound(id: "job_x"), status: 404, slug: "not-found"),
        Expected(error: JobQueueError.unavailable("database or disk is full"), status: 503, slug: "unavailable", retryAfter: "1"),
        Expected(error: JobQueueError.leaseLost(id: "job_x"), status: 503, slug: "unavailable", retryAfter: "1"),
        Expected(error: TransactionError(pointer: "/payload", reason: "must be an object"), status: 422, slug: "validation", pointer: "/payload"),
        Expected(error: CanonicalJSONError(offset: 3, reason: "duplicate key"), status: 400, slug: "bad-request"),
    ]

    @Test("a thrown error is answered as it says", arguments: cases)
    func answered(_ expected: Expected) async throws {
        let error = expected.error
        let blueprint = NodeBlueprint(checks: []) { router in
            router.get("/fails") { _, _ -> String in throw error }
        }
        try await makeNodeApp(blueprint: blueprint).test(.router) { client in
            try await client.execute(uri: "/fails", method: .get) { response in
                #expect(response.status.code == expected.status)
                #expect(response.headers[.contentType] == ProblemDetails.mediaType)
                #expect(response.headers[.retryAfter] == expected.retryAfter)
                let problem = try JSONDecoder().decode(ProblemDetails.self, from: Data(buffer: response.body))
                #expect(problem.type == "https://neuroswarm.dev/problems/\(expected.slug)")
                #expect(problem.status == expected.status)
                #expect(problem.check == expected.check)
                #expect(problem.errors?.map(\.pointer) == expected.pointer.map { [$0] })
            }
        }
    }

    @Test("a store's reason is logged as a warning and never sent to the client")
    func reasonLoggedOnly() async throws {
        let log = CapturedLog()
        let blueprint = NodeBlueprint(checks: []) { router in
            router.get("/fails") { _, _ -> String in throw JobQueueError.unavailable("database or disk is full") }
        }
        let router = NodeRouter.make(service: "test-node", blueprint: blueprint, metrics: NodeMetrics(node: "test-node"),
                                     metricsEnabled: false, healthTimeout: .seconds(30))
        try await Application(router: router, logger: log.logger("test-node")).test(.live) { client in
            try await client.execute(uri: "/fails", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(!String(buffer: response.body).contains("disk is full"))
            }
        }
        let warnings = log.records.filter { $0["reason"] == "database or disk is full" }
        #expect(warnings.count == 1)
        #expect(warnings.first?["level"] == "warning")
        #expect(warnings.first?["problem"] == "unavailable")
    }
}
