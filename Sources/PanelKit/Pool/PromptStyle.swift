import Foundation

/// How a candidate is prompted.
public enum PromptStyle: Sendable, Hashable {
    /// Through the server's chat template, zero-shot, with an instruction about the answer format.
    case chat
    /// As plain text completion: demonstrations rendered with `template`, then the question.
    ///
    /// Base (not instruction-tuned) models answer garbage through a chat template; this is how they are asked.
    case completion(CompletionTemplate)

    /// The style's name as written in pool files.
    public var name: String {
        switch self {
        case .chat: "chat"
        case .completion: "completion"
        }
    }
}

/// The text layout of one example in completion-style prompts.
public struct CompletionTemplate: Sendable, Hashable {
    /// The layout of one example, with the placeholders `{question}`, `{choices}` and `{answer}`;
    /// the prompt ends where `{answer}` starts, so the model writes the answer.
    public var item: String
    /// The text between examples.
    public var separator: String
    /// How many demonstrations precede the question.
    public var shots: Int

    /// The layout used when a pool file gives none.
    public static let standard = CompletionTemplate(
        item: "Question: {question}\n{choices}Answer: {answer}", separator: "\n\n", shots: 3)

    /// Creates a template.
    public init(item: String, separator: String, shots: Int) {
        self.item = item
        self.separator = separator
        self.shots = shots
    }

    /// Stop sequences that end the answer where the next example would begin.
    public var stopSequences: [String] {
        let head = item.components(separatedBy: "{").first ?? ""
        let lead = head.trimmingCharacters(in: .whitespacesAndNewlines)
        var stops = [separator + separator]
        if !lead.isEmpty { stops.insert(separator + lead, at: 0) }
        return stops.filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || $0.count > 1 }
    }
}
