/// An ensemble's answer to one question, with what it cost and how it was reached.
public struct EnsembleAnswer: Sendable {
    /// The mode that answered.
    public var mode: EnsembleMode
    /// The final text.
    public var text: String
    /// The extracted final answer.
    public var extracted: ExtractedAnswer
    /// The answer type the question was treated as.
    public var type: TaskType
    /// Every proposal, in the order they were made.
    public var proposals: [Proposal]
    /// Proposals after near-duplicates were collapsed (what fusion saw).
    public var collapsed: [Proposal]
    /// Fusion rounds, if any.
    public var rounds: [FusionRound]
    /// The MoE routing decision, if any.
    public var routing: KNNRouter.Decision?
    /// Experts that answered in MoE mode, in order (its length is the k used).
    public var experts: [String]
    /// Self-MoA samples requested and actually used (early stop saves the difference).
    public var samplesRequested: Int
    /// Samples used.
    public var samplesUsed: Int
    /// The vote, when one was taken (vote mode, or a fallback).
    public var vote: WeightedVote? = nil
    /// Why the answer came from a fallback, if it did.
    public var fallback: String? = nil
    /// The calls that failed and were left out (an expert whose backend kept failing is dropped for
    /// this answer; the others answer).
    public var failures: [String] = []
    /// Usage per candidate for this answer.
    public var usage: [String: UsageLedger.Usage]

    /// Usage summed over candidates.
    public var totalUsage: UsageLedger.Usage {
        usage.values.reduce(into: UsageLedger.Usage()) { total, u in
            total.calls += u.calls
            total.cacheHits += u.cacheHits
            total.tokensIn += u.tokensIn
            total.tokensOut += u.tokensOut
            total.errors += u.errors
        }
    }

    /// The answer as the `--json` document of `panel ask`.
    public var json: JSONValue {
        let total = totalUsage
        var trace: JSONObject = [
            "proposals": .array(proposals.map(\.json)),
            "collapsed": .int(proposals.count - collapsed.count),
            "rounds": .array(rounds.map(\.json)),
            "routing": routing.map { decision in
                var object = decision.json.objectValue ?? JSONObject()
                object["experts"] = .strings(experts)
                object["k"] = .int(experts.count)
                return .object(object)
            } ?? .null,
            "samples": ["requested": .int(samplesRequested), "used": .int(samplesUsed), "saved": .int(samplesRequested - samplesUsed)],
            "fallback": .optional(fallback),
            "failures": .strings(failures),
        ]
        if let vote { trace["vote"] = vote.json }
        return [
            "answer": .string(text), "extracted": .optional(extracted.text), "type": .string(type.rawValue),
            "mode": .string(mode.rawValue),
            "usage": [
                "calls": .int(total.calls), "cache_hits": .int(total.cacheHits), "tokens_in": .int(total.tokensIn),
                "tokens_out": .int(total.tokensOut),
                "by_model": .object(JSONObject(usage.sorted { $0.key < $1.key }.map { ($0.key, $0.value.json) })),
            ],
            "trace": .object(trace),
        ]
    }
}
