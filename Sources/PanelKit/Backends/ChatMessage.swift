/// One turn of a chat conversation.
public struct ChatMessage: Sendable, Hashable {
    /// Who speaks.
    public enum Role: String, Sendable, Hashable {
        case system, user, assistant
    }

    /// Who speaks.
    public var role: Role
    /// What is said.
    public var content: String

    /// Creates a message.
    public init(_ role: Role, _ content: String) {
        self.role = role
        self.content = content
    }

    /// The message as an OpenAI-style JSON object.
    var json: JSONValue { ["role": .string(role.rawValue), "content": .string(content)] }
}

/// What a model is asked: chat messages rendered through the server's template, or raw text.
public enum Prompt: Sendable, Hashable {
    /// A conversation, rendered by the server's chat template.
    case chat([ChatMessage])
    /// Raw text continued as is.
    case text(String)

    /// The prompt's text in UTF-8 bytes, the size `CallPolicy.maxPromptBytes` bounds.
    public var byteCount: Int {
        switch self {
        case .chat(let messages): messages.map(\.content.utf8.count).reduce(0, +)
        case .text(let text): text.utf8.count
        }
    }

    /// The prompt as stable JSON, for fingerprints and the store.
    public var json: JSONValue {
        switch self {
        case .chat(let messages): ["chat": .array(messages.map(\.json))]
        case .text(let text): ["text": .string(text)]
        }
    }
}
