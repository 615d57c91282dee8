import Foundation

/// Turns a task item into the prompt a candidate is asked, in the candidate's prompt style.
///
/// Chat-style candidates are asked zero-shot with an instruction that names the answer format
/// (small models follow "end with 'The answer is …'" well enough for the extractors). Completion-style
/// candidates see demonstrations laid out by their template, each ending in the same answer sentence.
public struct PromptBuilder: Sendable {
    /// The candidate's prompt style.
    public var style: PromptStyle
    /// A system prompt for chat-style candidates.
    public var systemPrompt: String?

    /// Creates a builder for a candidate.
    public init(style: PromptStyle, systemPrompt: String? = nil) {
        self.style = style
        self.systemPrompt = systemPrompt
    }

    /// Creates a builder from a candidate's settings.
    public init(for candidate: Candidate) {
        self.init(style: candidate.promptStyle, systemPrompt: candidate.systemPrompt)
    }

    /// The prompt asking `item`; `demonstrations` are used by the completion style (the first
    /// `shots` of them that are not `item` itself, so K-shot scoring is leave-one-out), each written
    /// with the answer format of its own type in `types`.
    public func prompt(
        for item: TaskItem, types: TaskTypeResolution, demonstrations: [TaskItem] = []
    ) -> Prompt {
        let type = types.type(of: item)
        switch style {
        case .chat:
            var messages: [ChatMessage] = []
            if let systemPrompt, !systemPrompt.isEmpty { messages.append(ChatMessage(.system, systemPrompt)) }
            messages.append(ChatMessage(.user, Self.question(item, type: type)))
            return .chat(messages)
        case .completion(let template):
            let shots = demonstrations.filter { $0.id != item.id }.prefix(template.shots)
            var parts = shots.map { demo in
                Self.fill(
                    template.item, item: demo,
                    answer: ReferenceText.scoringReference(for: demo, type: types.type(of: demo)).text)
            }
            let query = Self.fill(template.item, item: item, answer: "")
            parts.append(String(query[..<(query.range(of: Self.answerMark)?.lowerBound ?? query.endIndex)]))
            var text = parts.joined(separator: template.separator)
            if let systemPrompt, !systemPrompt.isEmpty { text = systemPrompt + template.separator + text }
            while text.hasSuffix(" ") { text.removeLast() }  // the answer's first token carries its own space
            return .text(text)
        }
    }

    /// The reference answer as the candidate would write it after `prompt(for:)`, for continuation scoring.
    public func scoringContinuation(for item: TaskItem, type: TaskType) -> (text: String, hasRationale: Bool) {
        let reference = ReferenceText.scoringReference(for: item, type: type)
        switch style {
        case .chat: return reference
        case .completion: return (" " + reference.text, reference.hasRationale)
        }
    }

    /// Stop sequences that keep a completion-style candidate from writing the next example.
    public var stopSequences: [String] {
        if case .completion(let template) = style { return template.stopSequences }
        return []
    }

    /// The question with its lettered choices, without instructions (for aggregators and the router).
    public static func plainQuestion(_ item: TaskItem) -> String {
        guard let choices = item.choices, !choices.isEmpty else { return item.question }
        return item.question + "\n\n" + choiceList(choices).trimmingCharacters(in: .newlines)
    }

    /// The instruction-wrapped question for chat-style prompting.
    public static func question(_ item: TaskItem, type: TaskType) -> String {
        let text = plainQuestion(item)
        return instruction(for: type).map { text + "\n\n" + $0 } ?? text
    }

    /// How an answer of `type` should be worked out and stated, so the extractors can read it.
    public static func instruction(for type: TaskType) -> String? {
        switch type {
        case .multipleChoice:
            "Think it through briefly, then finish with \"The answer is X\", where X is the letter of the correct option."
        case .number: "Solve it step by step, then finish with \"The answer is N\", where N is the final number."
        case .yesNo: "Explain briefly, then finish with \"The answer is yes\" or \"The answer is no\"."
        case .exact: "Answer briefly, finishing with \"The answer is …\"."
        case .freeText: nil
        }
    }

    private static let answerMark = "\u{0}answer\u{0}"

    private static func fill(_ template: String, item: TaskItem, answer: String) -> String {
        template
            .replacingOccurrences(of: "{choices}", with: item.choices.map(choiceList) ?? "")
            .replacingOccurrences(of: "{question}", with: item.question)
            .replacingOccurrences(of: "{answer}", with: answer.isEmpty ? answerMark : answer)
    }

    private static func choiceList(_ choices: [String]) -> String {
        choices.enumerated().map { "\(TaskItem.letter($0.offset)). \($0.element)\n" }.joined()
    }
}
