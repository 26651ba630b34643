import CoreMetrics
import Hummingbird
import NSCore

/// The witness node (port 3010, `nsd run --role witness`): `POST /add-checkpoint` as
/// c2sp.org/tlog-witness defines it, with `/health` probing its database.
///
/// Answers: 200 with the cosignature line (`text/plain`); 409 with the size it last cosigned
/// (`text/x.tlog.size`); 400, 403, 404, 422 and 503 as problem documents (``WitnessRefusal``);
/// 413 for a body over ``Witness/maxBodyBytes``.
public enum WitnessNode {
    public static func blueprint(database: NodeDatabase, witness: Witness, metrics: NodeMetrics) -> NodeBlueprint {
        let counters = WitnessMetrics(factory: metrics.factory)
        return NodeBlueprint(checks: [database.check()]) { router in
            router.post("/add-checkpoint") { request, _ in
                let body = try await request.body.collect(upTo: Witness.maxBodyBytes)
                do throws(WitnessRefusal) {
                    let lines = try await witness.addCheckpoint(Array(body.readableBytesView))
                    counters.cosignatures.increment()
                    return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: lines)))
                } catch {
                    counters.refused(error)
                    guard case .conflict(let size) = error else { throw error }
                    return Response(status: .conflict, headers: [.contentType: AddCheckpointRequest.sizeMediaType],
                                    body: .init(byteBuffer: ByteBuffer(string: "\(size)\n")))
                }
            }
        }
    }
}

/// The witness's counters, recorded into its node's registry.
struct WitnessMetrics: Sendable {
    let cosignatures: Counter
    let factory: NodeMetricsFactory

    init(factory: NodeMetricsFactory) {
        self.factory = factory
        cosignatures = Counter(label: "ns_witness_cosignatures_total", dimensions: [], factory: factory)
    }

    func refused(_ refusal: WitnessRefusal) {
        Counter(label: "ns_witness_refusals_total", dimensions: [("reason", refusal.label)], factory: factory).increment()
    }
}
