/// Gateway settings beyond the seeds' rate-limit and CORS variables: which proxies may set
/// `X-Forwarded-For`, and the size limits of a submission.
public struct GatewaySettings: Sendable {
    /// `TRUSTED_PROXIES`: peers whose `X-Forwarded-For` is believed. Empty: the socket address always counts.
    public var trustedProxies: [IPNetwork]
    /// `MAX_ARTIFACT_CHARS`: the longest `content`, in Unicode scalars.
    public var maxArtifactChars: Int
    /// `MAX_BATCH_ITEMS`: the most items one `POST /api/submit-batch` may carry.
    public var maxBatchItems: Int
    /// `MAX_BODY_BYTES`: the largest `POST /api/submit` body; larger bodies get 413 unread.
    public var maxBodyBytes: Int
    /// `MAX_BATCH_BODY_BYTES`: the largest `POST /api/submit-batch` body.
    public var maxBatchBodyBytes: Int

    public init(trustedProxies: [IPNetwork] = [], maxArtifactChars: Int = 10_000, maxBatchItems: Int = 100,
                maxBodyBytes: Int = 262_144, maxBatchBodyBytes: Int = 8_388_608) {
        self.trustedProxies = trustedProxies
        self.maxArtifactChars = maxArtifactChars
        self.maxBatchItems = maxBatchItems
        self.maxBodyBytes = maxBodyBytes
        self.maxBatchBodyBytes = maxBatchBodyBytes
    }

    static func load(source: ConfigurationSource) throws(ConfigurationError) -> GatewaySettings {
        let defaults = GatewaySettings()
        var proxies: [IPNetwork] = []
        if let text = source.string("TRUSTED_PROXIES") {
            switch IPNetwork.list(text) {
            case .success(let networks): proxies = networks
            case .failure(let bad):
                throw ConfigurationError(variable: "TRUSTED_PROXIES", problem: "entry '\(bad.entry)' is not an IP address or CIDR block",
                                         fix: "list addresses or blocks separated by commas, e.g. 10.0.0.0/8,::1")
            }
        }
        return GatewaySettings(
            trustedProxies: proxies,
            maxArtifactChars: try source.integer(["MAX_ARTIFACT_CHARS"], default: defaults.maxArtifactChars, range: 1...10_000_000),
            maxBatchItems: try source.integer(["MAX_BATCH_ITEMS"], default: defaults.maxBatchItems, range: 1...10_000),
            maxBodyBytes: try source.integer(["MAX_BODY_BYTES"], default: defaults.maxBodyBytes, range: 1_024...1_073_741_824),
            maxBatchBodyBytes: try source.integer(["MAX_BATCH_BODY_BYTES"], default: defaults.maxBatchBodyBytes, range: 1_024...1_073_741_824))
    }
}
