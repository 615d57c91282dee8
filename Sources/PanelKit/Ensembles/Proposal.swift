/// One answer put forward for fusion: a sample of the best model, or an expert's answer.
public struct Proposal: Sendable, Hashable {
    /// The candidate that wrote it.
    public var expert: String
    /// The text.
    public var text: String
    /// The answer extracted from it.
    public var extracted: ExtractedAnswer
    /// How many proposals this one stands for after near-duplicates were collapsed.
    public var count: Int
    /// The seed it was sampled with, if any.
    public var seed: Int?

    /// Creates a proposal.
    public init(expert: String, text: String, extracted: ExtractedAnswer, count: Int = 1, seed: Int? = nil) {
        self.expert = expert
        self.text = text
        self.extracted = extracted
        self.count = count
        self.seed = seed
    }

    /// The proposal as JSON, for traces.
    public var json: JSONValue {
        [
            "expert": .string(expert), "text": .string(text), "extracted": .optional(extracted.text),
            "count": .int(count), "seed": .optional(seed),
        ]
    }
}
