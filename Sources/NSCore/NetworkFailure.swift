/// Plain words for why a network call failed, shared by every client (node-to-node HTTP,
/// nsctl, Redis), so operators see the same phrase for the same problem. Never includes URLs,
/// which may carry credentials.
public enum NetworkFailure {
    public static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.contains("connectTimeout") || text.contains("ConnectTimeout") { return "timed out connecting" }
        if text.contains("deadlineExceeded") || text.contains("Timeout") { return "timed out" }
        return "unreachable (\(type(of: error)))"
    }
}
