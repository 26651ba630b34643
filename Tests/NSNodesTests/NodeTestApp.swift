import Hummingbird
import HummingbirdTesting
import NSNodes

/// Builds a node application exactly as `nsd` does, around the given blueprint. The health time
/// limit is long by default: it only guards against hangs, and a loaded CI machine must not trip it.
func makeNodeApp(blueprint: NodeBlueprint, metrics: NodeMetrics = NodeMetrics(node: "test-node"), metricsEnabled: Bool = true,
                 healthTimeout: Duration = .seconds(30)) -> some ApplicationProtocol {
    let router = NodeRouter.make(service: "test-node", blueprint: blueprint, metrics: metrics,
                                 metricsEnabled: metricsEnabled, healthTimeout: healthTimeout)
    return Application(router: router)
}
