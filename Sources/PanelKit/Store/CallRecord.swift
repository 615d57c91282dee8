/// One model call as the store records it.
public struct CallRecord: Sendable, Equatable {
    /// The kind of call.
    public enum Operation: String, Sendable {
        case generate, score, embed
    }

    /// A SHA-256 of the candidate's model identity and the canonical request.
    public var fingerprint: String
    /// The candidate called.
    public var candidate: String
    /// The kind of call.
    public var operation: Operation
    /// Whether the call is deterministic and may be served from the cache.
    public var cacheable: Bool
    /// The request.
    public var request: JSONValue
    /// The response, when the call succeeded.
    public var response: JSONValue?
    /// Prompt tokens.
    public var tokensIn: Int
    /// Generated tokens.
    public var tokensOut: Int
    /// Wall time of the call in milliseconds.
    public var latencyMs: Double
    /// The error, when the call failed.
    public var error: String?
    /// The run (select, ask or evaluate) the call belongs to.
    public var run: String?

    /// Creates a record.
    public init(
        fingerprint: String, candidate: String, operation: Operation, cacheable: Bool, request: JSONValue,
        response: JSONValue?, tokensIn: Int = 0, tokensOut: Int = 0, latencyMs: Double = 0, error: String? = nil,
        run: String? = nil
    ) {
        self.fingerprint = fingerprint
        self.candidate = candidate
        self.operation = operation
        self.cacheable = cacheable
        self.request = request
        self.response = response
        self.tokensIn = tokensIn
        self.tokensOut = tokensOut
        self.latencyMs = latencyMs
        self.error = error
        self.run = run
    }
}
