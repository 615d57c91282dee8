/// What probing one candidate found.
public struct ProbeResult: Sendable, Hashable {
    /// The candidate probed.
    public var candidateID: String
    /// Whether the server answered its health check.
    public var reachable: Bool
    /// The health check's round trip, in milliseconds.
    public var latencyMs: Double?
    /// Parallel request slots the server offers (its `-np`), when known.
    public var slots: Int?
    /// Context tokens per slot, when known.
    public var contextSize: Int?
    /// What identifies the served weights (model file, model name and digest), so cached answers of one
    /// model are never served for another that took its place behind the same URL.
    public var modelIdentity: String
    /// What the server can do.
    public var capabilities: Capabilities
    /// Problems found that do not make the candidate unusable.
    public var warnings: [String]
    /// Why the candidate is unusable, when it is.
    public var error: String?

    /// Creates a probe result.
    public init(
        candidateID: String, reachable: Bool, latencyMs: Double? = nil, slots: Int? = nil, contextSize: Int? = nil,
        modelIdentity: String = "", capabilities: Capabilities = .init(), warnings: [String] = [], error: String? = nil
    ) {
        self.candidateID = candidateID
        self.reachable = reachable
        self.latencyMs = latencyMs
        self.slots = slots
        self.contextSize = contextSize
        self.modelIdentity = modelIdentity
        self.capabilities = capabilities
        self.warnings = warnings
        self.error = error
    }

    /// The result as JSON (the shape `panel pool check --json` prints for each candidate).
    public var json: JSONValue {
        [
            "id": .string(candidateID), "reachable": .bool(reachable), "latency_ms": .optional(latencyMs),
            "slots": .optional(slots), "context": .optional(contextSize), "model_identity": .string(modelIdentity),
            "capabilities": capabilities.json, "warnings": .strings(warnings), "error": .optional(error),
        ]
    }

    /// Reads a stored result back.
    public init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue else { return nil }
        self.init(
            candidateID: id, reachable: json["reachable"]?.boolValue ?? false, latencyMs: json["latency_ms"]?.doubleValue,
            slots: json["slots"]?.intValue, contextSize: json["context"]?.intValue,
            modelIdentity: json["model_identity"]?.stringValue ?? "",
            capabilities: Capabilities(json: json["capabilities"] ?? .null),
            warnings: json["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            error: json["error"]?.stringValue)
    }
}
