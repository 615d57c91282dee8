/// Everything `panel select-experts` found and decided.
public struct SelectionResult: Sendable {
    /// Every usable candidate's K-shot results, in pool order.
    public var evaluations: [CandidateEvaluation]
    /// Candidates dropped by successive halving, with the number of items they were run on.
    public var droppedByHalving: [String: Int]
    /// Candidates left out before evaluation (unreachable, unusable), with the reason.
    public var leftOut: [(id: String, reason: String)]
    /// The selection rule's ranks and choice.
    public var outcome: SelectionRule.Outcome
    /// Pairwise diversity of the evaluated candidates.
    public var diversity: DiversityMatrix
    /// The recommended mode.
    public var decision: ModeDecision
    /// Aggregator trials, best first.
    public var aggregatorTrials: [AggregatorTrial]
    /// The chosen aggregator.
    public var aggregator: String
    /// The ensemble to write.
    public var spec: EnsembleSpec
    /// Generation and scoring requests the K-shot phase needed (sent or served from the cache).
    public var requestsUsed: Int
    /// Requests an exhaustive search would have needed for the same candidates.
    public var requestsExhaustive: Int
    /// Usage of every call.
    public var usage: UsageLedger.Usage
    /// Things the user should know (a candidate without perplexity rank, approximate scores…).
    public var notes: [String]

    /// The evaluation of a candidate.
    public func evaluation(_ id: String) -> CandidateEvaluation? { evaluations.first { $0.id == id } }
}
