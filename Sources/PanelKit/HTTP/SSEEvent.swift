/// One server-sent event.
///
/// The OpenAI-style `[DONE]` sentinel arrives as an ordinary event whose `data` is `[DONE]`;
/// callers check for it, because whether it is meaningful depends on the backend.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field, or `nil` when the server sent none (the default "message" type).
    public var event: String?
    /// The `data:` lines, joined with `\n`.
    public var data: String

    /// Whether this is the OpenAI-style end-of-stream sentinel, `data: [DONE]`.
    public var isDone: Bool { data == "[DONE]" }

    /// Creates an event.
    public init(event: String? = nil, data: String) {
        self.event = event
        self.data = data
    }
}
