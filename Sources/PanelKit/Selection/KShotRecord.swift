/// What one candidate did on one K-shot item.
public struct KShotRecord: Sendable, Hashable {
    /// The item.
    public var itemID: String
    /// The raw output (kept for inspection and output diversity).
    public var output: String
    /// The answer extracted from the output.
    public var extracted: ExtractedAnswer
    /// Whether the extracted answer matches the gold answer.
    public var correct: Bool
    /// Prompt tokens.
    public var tokensIn: Int
    /// Generated tokens.
    public var tokensOut: Int
    /// Wall time of the generation, in milliseconds.
    public var latencyMs: Double
    /// Why the generation failed, if it did.
    public var error: String?
    /// The gold reference's score under the candidate, when the backend can score.
    public var reference: ContinuationScore?
    /// Whether the scored reference contained a rationale (items without one are scored on the answer alone).
    public var referenceHasRationale: Bool

    /// Creates a record.
    public init(
        itemID: String, output: String, extracted: ExtractedAnswer, correct: Bool, tokensIn: Int = 0,
        tokensOut: Int = 0, latencyMs: Double = 0, error: String? = nil, reference: ContinuationScore? = nil,
        referenceHasRationale: Bool = true
    ) {
        self.itemID = itemID
        self.output = output
        self.extracted = extracted
        self.correct = correct
        self.tokensIn = tokensIn
        self.tokensOut = tokensOut
        self.latencyMs = latencyMs
        self.error = error
        self.reference = reference
        self.referenceHasRationale = referenceHasRationale
    }
}
