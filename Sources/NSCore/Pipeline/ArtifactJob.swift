/// The job the gateway enqueues for each accepted artifact and vp-node works on: its payload
/// (what was submitted, by whom, when) and its result (the ledger transaction it became).
///
/// Both are canonical JSON so the bytes in the queue are the same whichever node wrote them.
public struct ArtifactJob: Sendable, Equatable {
    /// The job type in the queue.
    public static let type = "artifact"

    public var content: String
    /// Metadata values are strings, integers or booleans (the ledger's canonical JSON has no floats).
    public var metadata: [String: JSONValue]
    /// The JWT `sub` of the submitter; only they (or an admin) may read the job's status.
    public var submitter: String
    /// Unix ms when the gateway accepted it.
    public var submittedAt: Int64
    /// The correlation id of the submitting request, so the worker's log lines join the gateway's.
    public var requestID: String

    public init(content: String, metadata: [String: JSONValue], submitter: String, submittedAt: Int64, requestID: String) {
        self.content = content
        self.metadata = metadata
        self.submitter = submitter
        self.submittedAt = submittedAt
        self.requestID = requestID
    }

    /// The payload bytes stored in the queue.
    public func encoded() -> [UInt8] {
        var object = CanonicalObjectWriter(capacity: content.utf8.count + 64 * metadata.count + 160)
        object.add("content", content)
        object.add("metadata", .object(metadata))
        object.add("requestId", requestID)
        object.add("submittedAt", submittedAt)
        object.add("submitter", submitter)
        return object.bytes()
    }

    /// Reads a payload written by ``encoded()``; `nil` when the bytes are not an artifact job.
    public init?(payload: [UInt8]) {
        // Bytes that are not JSON are not an artifact job: `nil` is the documented answer.
        guard let value = try? CanonicalJSON.decode(payload), let content = value["content"]?.stringValue,
              let metadata = value["metadata"]?.objectValue, let submitter = value["submitter"]?.stringValue,
              let submittedAt = value["submittedAt"]?.intValue else { return nil }
        self.init(content: content, metadata: metadata, submitter: submitter, submittedAt: submittedAt,
                  requestID: value["requestId"]?.stringValue ?? "")
    }

    /// The completed job's result: the hash of the transaction that anchors the artifact, and who
    /// submitted it. A completed job's payload is dropped (the queue keeps only what status needs),
    /// so the owner check reads the submitter here.
    public struct Outcome: Sendable, Equatable {
        public var txHash: String
        /// The JWT `sub` of the submitter; `nil` in results written before it was recorded, whose
        /// payload still names the submitter.
        public var submitter: String?

        public init(txHash: String, submitter: String? = nil) {
            self.txHash = txHash
            self.submitter = submitter
        }

        public func encoded() -> [UInt8] {
            var fields: [String: JSONValue] = ["txHash": .string(txHash)]
            if let submitter { fields["submitter"] = .string(submitter) }
            return CanonicalJSON.encode(.object(fields))
        }

        /// Reads a result written by ``encoded()``, with or without `submitter`; `nil` when the
        /// bytes name no transaction.
        public init?(result: [UInt8]) {
            let value: JSONValue
            do {
                value = try CanonicalJSON.decode(result)
            } catch {
                return nil
            }
            guard let hash = value["txHash"]?.stringValue else { return nil }
            self.txHash = hash
            self.submitter = value["submitter"]?.stringValue
        }
    }
}
