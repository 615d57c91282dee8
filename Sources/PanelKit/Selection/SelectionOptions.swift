/// How `panel select-experts` searches.
public struct SelectionOptions: Sendable {
    /// How candidates are evaluated.
    public enum Strategy: String, Sendable, CaseIterable {
        /// Every candidate on every K-shot item.
        case exhaustive
        /// Successive halving: all candidates on a few items, the worse half dropped, the rest on more.
        case halving
    }

    /// Experts to choose (N); `nil` for the pool-size default.
    public var experts: Int?
    /// Candidates kept for the subset search (M); `nil` for the pool-size default.
    public var shortlist: Int?
    /// The search strategy.
    public var strategy: Strategy = .exhaustive
    /// K-shot items on which each aggregator candidate is tried.
    public var aggregatorTrials: Int = 4
    /// Generation budget when the pool sets none.
    public var defaultMaxTokens: Int = 384

    /// Creates options.
    public init(experts: Int? = nil, shortlist: Int? = nil, strategy: Strategy = .exhaustive) {
        self.experts = experts
        self.shortlist = shortlist
        self.strategy = strategy
    }
}
