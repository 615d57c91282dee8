import Foundation

/// A candidate's K-shot results and the indicators derived from them.
public struct CandidateEvaluation: Sendable {
    /// The candidate.
    public var id: String
    /// Its records, in K-shot order (only the items it was run on).
    public var records: [KShotRecord]
    /// Whether its backend can score continuations; without it there is no perplexity rank.
    public var canScore: Bool
    /// Which tokenizer it uses, so per-token perplexities are compared only within one tokenizer.
    public var tokenizerKey: String

    /// Creates an evaluation.
    public init(id: String, records: [KShotRecord], canScore: Bool, tokenizerKey: String) {
        self.id = id
        self.records = records
        self.canScore = canScore
        self.tokenizerKey = tokenizerKey
    }

    /// Items answered correctly.
    public var correctCount: Int { records.filter(\.correct).count }
    /// Exact-match accuracy.
    public var accuracy: Double { records.isEmpty ? 0 : Double(correctCount) / Double(records.count) }
    /// The Wilson 95% interval of the accuracy.
    public var accuracyInterval: Interval { Proportion(successes: correctCount, trials: records.count).wilsonInterval() }
    /// Items whose output had no extractable answer.
    public var unparsableCount: Int { records.filter { $0.extracted == .unparsable && $0.error == nil }.count }
    /// Items whose generation failed.
    public var errorCount: Int { records.filter { $0.error != nil }.count }

    private var scores: [ContinuationScore] { records.compactMap(\.reference) }

    /// Reasoning perplexity (K-PAPER Eq. 4, with the per-example mean-token perplexity of ROCKET's code),
    /// averaged over items; `nil` when the candidate cannot score.
    public var reasoningPerplexity: Double? {
        let values = scores.filter { !$0.tokenLogprobs.isEmpty }.map(\.perplexity)
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Bits per byte of all gold references together: comparable across tokenizers.
    public var reasoningBitsPerByte: Double? {
        let scored = scores.filter { !$0.tokenLogprobs.isEmpty }
        guard !scored.isEmpty else { return nil }
        let bits = scored.map { -$0.logLikelihood / log(2) }.reduce(0, +)
        return bits / Double(max(scored.map(\.byteCount).reduce(0, +), 1))
    }

    /// Whether some scores are approximations.
    public var scoringIsApproximate: Bool { scores.contains { !$0.exact } }
    /// Items scored on the answer alone, for want of a rationale.
    public var answerOnlyItems: Int { records.filter { $0.reference != nil && !$0.referenceHasRationale }.count }

    /// Mean generated tokens per item.
    public var tokensPerItem: Double { mean(records.map { Double($0.tokensIn + $0.tokensOut) }) }
    /// Mean generated (output) tokens per item.
    public var outputTokensPerItem: Double { mean(records.map { Double($0.tokensOut) }) }
    /// Mean generation time per item, in seconds.
    public var secondsPerItem: Double { mean(records.map(\.latencyMs)) / 1000 }

    /// The record of an item.
    public func record(_ itemID: String) -> KShotRecord? { records.first { $0.itemID == itemID } }

    private func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
}
