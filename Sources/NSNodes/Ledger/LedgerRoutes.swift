import Foundation
import Hummingbird
import NSCore
import NSLedger

/// ns-node's HTTP API. Writes (`POST /tx`, `POST /blocks/produce`, `POST /v1/validators`) need
/// the internal token; reads under `/v1` are public, since anyone may verify the ledger.
struct LedgerRoutes: Sendable {
    static let maxTxBodyBytes = 8 * 1024 * 1024
    static let maxBlockBodyBytes = 64 * 1024 * 1024
    static let maxTxsPerSubmit = 10_000

    let store: any LedgerStore
    let metrics: LedgerMetrics
    let witnessing: CheckpointWitnessing?

    func add(to router: Router<NodeRequestContext>, internalToken: Secret, previousInternalToken: Secret?) {
        let writes = router.group().add(middleware: InternalAuthMiddleware(token: internalToken, previous: previousInternalToken))
        writes.post("/tx") { request, _ in try await submit(request) }
        writes.post("/blocks/produce") { request, _ in try await produce(request) }

        router.get("/v1/mempool") { request, _ in try await mempool(request) }
        router.get("/v1/blocks/latest") { request, _ in try await block(try await store.reader.latestBlock(), request: request) }
        router.get("/v1/blocks/{height}") { request, context in
            let height = try Self.number(context.parameters.get("height"), name: "height")
            guard let found = try await store.reader.block(height: height) else { throw NodeError.notFound(detail: "no block at height \(height)") }
            return try await block(found, request: request)
        }
        router.get("/v1/log/frontier") { _, _ in frontier(try await store.reader.head().frontier) }
        ValidatorRoutes(store: store).add(public: router, internal: writes)
        let checkpoint = ServedCheckpoint(reader: store.reader, cosignatures: witnessing?.cosignatures)
        LedgerReadRoutes(reader: store.reader, checkpoint: checkpoint).add(to: router)
        TiledLogRoutes(reader: store.reader, checkpoint: checkpoint).add(to: router)
    }

    private func submit(_ request: Request) async throws -> Response {
        let body = try await JSONBody.read(request, limit: Self.maxTxBodyBytes)
        let elements: [(JSONValue, String)] = body.arrayValue.map { $0.enumerated().map { ($1, "/\($0)") } } ?? [(body, "")]
        guard !elements.isEmpty, elements.count <= Self.maxTxsPerSubmit else {
            throw NodeError.badRequest(detail: "send one transaction or an array of 1 to \(Self.maxTxsPerSubmit)")
        }
        var txs: [LedgerTransaction] = []
        var errors: [ProblemDetails.FieldError] = []
        for (value, pointer) in elements {
            do {
                txs.append(try LedgerTransaction(value, pointer: pointer))
            } catch {
                errors.append(.init(pointer: error.pointer.isEmpty ? "/" : error.pointer, detail: error.reason))
            }
        }
        guard errors.isEmpty else { throw NodeError.invalidFields(errors) }
        let outcome = try await store.submit(txs, rule: try Self.submitRule(request))
        metrics.txsSubmitted.increment(by: outcome.receipts.filter { $0.status == .pending && !$0.duplicateJob }.count)
        metrics.update(pending: outcome.pendingCount)
        return JSONBody.response(["receipts": .array(outcome.receipts.map(Self.json))])
    }

    /// `?dedupe=job` keeps one transaction per job id (what vp-node's workers send,
    /// ``SubmitRule/onePerJob``); without it only a repeat of the same transaction is
    /// held already. Anything else is a 400.
    static func submitRule(_ request: Request) throws -> SubmitRule {
        switch request.uri.queryParameters.get("dedupe") {
        case nil: return .sameTransaction
        case "job": return .onePerJob
        default: throw NodeError.badRequest(detail: "dedupe must be job (keep one transaction per job id) or absent")
        }
    }

    private func produce(_ request: Request) async throws -> Response {
        let body = try await JSONBody.bytes(request, limit: Self.maxBlockBodyBytes)
        let (members, elements) = try CanonicalJSON.decodeObject(body, deferringArray: "txs")
        guard let headerJSON = members["header"], let elements else {
            throw BlockRejection.malformed("send {\"header\": {...}, \"txs\": [...]}")
        }
        let header = try BlockHeader(json: headerJSON)
        let txs: [LedgerTransaction]
        do {
            txs = try await Self.validate(body, elements: elements)
        } catch {
            metrics.rejected("tx")
            throw error
        }
        do {
            let outcome = try await store.append(BlockProposal(header: header, txs: txs))
            let appended = outcome.header
            metrics.blocksAppended.increment()
            metrics.txsCommitted.increment(by: txs.count)
            metrics.update(tip: appended, pending: outcome.pendingCount)
            witnessing?.checkpointAdvanced()
            return JSONBody.response(["height": .int(Int64(appended.height)), "hash": .string(appended.hash.hex),
                                      "logSize": .int(Int64(appended.logSize)), "logRoot": .string(appended.logRoot.hex)], status: .created)
        } catch {
            metrics.rejected(error.check)
            throw error
        }
    }

    /// Parses and validates a block's transactions, each from its own bytes, on every core: a
    /// large block is mostly parsing, hashing and checking, independent per transaction. Bytes
    /// already in canonical form (as producers send them) are kept rather than encoded again.
    static func validate(_ body: [UInt8], elements: [Range<Int>]) async throws(BlockRejection) -> [LedgerTransaction] {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, elements.count / 250))
        let chunk = max(1, (elements.count + workers - 1) / workers)
        let results = await withTaskGroup(of: (Int, Result<[LedgerTransaction], BlockRejection>).self) { group in
            for start in stride(from: 0, to: elements.count, by: chunk) {
                let ranges = elements[start..<min(start + chunk, elements.count)]
                group.addTask {
                    var txs: [LedgerTransaction] = []
                    txs.reserveCapacity(ranges.count)
                    for (offset, range) in ranges.enumerated() {
                        let bytes = Array(body[range])
                        do {
                            let (value, isCanonical) = try CanonicalJSON.decodeNotingCanonical(bytes)
                            txs.append(try LedgerTransaction(value, canonicalBytes: isCanonical ? bytes : nil, pointer: "/txs/\(start + offset)"))
                        } catch {
                            return (start, .failure(.tx(index: start + offset, reason: "\(error)")))
                        }
                    }
                    return (start, .success(txs))
                }
            }
            var results: [(Int, Result<[LedgerTransaction], BlockRejection>)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }
        }
        var txs: [LedgerTransaction] = []
        txs.reserveCapacity(elements.count)
        for (_, result) in results {
            switch result {
            case .success(let part): txs += part
            case .failure(let rejection): throw rejection
            }
        }
        return txs
    }

    private func mempool(_ request: Request) async throws -> Response {
        let limit = try request.uri.queryParameters.get("limit").map { try Self.number($0, name: "limit") } ?? 100
        guard (1...10_000).contains(limit) else { throw NodeError.badRequest(detail: "limit must be from 1 to 10000") }
        let (total, txs) = try await store.reader.mempool(limit: Int(limit))
        // Stored transactions are canonical bytes already: spliced, not decoded and encoded again.
        let entries = txs.map { entry in
            CanonicalJSON.object(ofEncoded: ["txHash": CanonicalJSON.encode(.string(entry.hash.hex)), "tx": entry.canonical])
        }
        return JSONBody.response(encoded: CanonicalJSON.object(ofEncoded: ["total": CanonicalJSON.encode(.int(Int64(total))),
                                                                           "txs": CanonicalJSON.array(ofEncoded: entries)]))
    }

    private func block(_ block: LedgerBlock, request: Request) async throws -> Response {
        var json: [String: JSONValue] = ["height": .int(Int64(block.header.height)), "hash": .string(block.hash.hex),
                                         "header": block.header.json, "txCount": .int(Int64(block.txHashes.count))]
        if request.uri.queryParameters.get("txs") == "full" {
            json["txs"] = .array(try await store.reader.transactions(inBlock: block.header.height).map(Self.json))
        } else {
            json["txs"] = .array(block.txHashes.map { .string($0.hex) })
        }
        return JSONBody.response(.object(json))
    }

    private func frontier(_ range: CompactRange) -> Response {
        JSONBody.response(["size": .int(Int64(range.size)), "root": .string(range.root.hex), "nodes": .array(range.nodes.map {
            ["level": .int(Int64($0.level)), "index": .int(Int64($0.index)), "hash": .string($0.hash.hex)]
        })])
    }

    static func json(_ receipt: TxReceipt) -> JSONValue {
        var fields: [String: JSONValue] = ["txHash": .string(receipt.txHash), "status": .string(receipt.status.rawValue)]
        if let height = receipt.blockHeight { fields["blockHeight"] = .int(height) }
        if let leaf = receipt.leafIndex { fields["leafIndex"] = .int(leaf) }
        if receipt.duplicateJob { fields["duplicateJob"] = .bool(true) }
        return .object(fields)
    }

    static func json(_ tx: CommittedTx) -> JSONValue {
        ["txHash": .string(tx.hash.hex), "leafIndex": .int(Int64(tx.leafIndex)), "blockHeight": .int(Int64(tx.blockHeight)),
         // A committed leaf was canonical JSON when admitted; were it not, `leaf` still carries its bytes.
         "leaf": .string(Base64.encode(tx.canonical)), "tx": (try? CanonicalJSON.decode(tx.canonical)) ?? .null]
    }

    /// A non-negative integer parameter, or 400 naming it.
    static func number(_ text: String?, name: String) throws -> UInt64 {
        guard let text, let value = UInt64(text), String(value) == text else {
            throw NodeError.badRequest(detail: "\(name) must be a whole number ≥ 0")
        }
        return value
    }
}
