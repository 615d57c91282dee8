/// The expert-selection rule of K-PAPER's Algorithm 1, with Panel's handling of what the paper leaves open.
///
/// Candidates are ranked by reasoning perplexity (R_P, ascending) and by accuracy (R_A, descending),
/// with tied values sharing their average rank; the `shortlist` candidates with the smallest R_P + R_A
/// are kept (this drops blind guessers before the combinatorial step); among every `experts`-subset of
/// the shortlist, the one minimising Σ(R_P + R_A) + R_D wins, where R_D ranks subsets by diversity
/// (most diverse first). Per-token perplexity is only comparable within one tokenizer, so when the
/// scored candidates use different tokenizers, R_P ranks bits per byte instead. A candidate whose
/// backend cannot score has no R_P; its accuracy rank stands in for it, so it is neither favoured nor
/// buried by the missing signal.
public struct SelectionRule: Sendable {
    /// How many experts to choose (N).
    public var experts: Int
    /// How many top candidates enter the subset search (M).
    public var shortlist: Int

    /// Creates a rule.
    public init(experts: Int, shortlist: Int) {
        self.experts = experts
        self.shortlist = shortlist
    }

    /// The defaults for a pool of `count` usable candidates: the paper's M = 8, N = 4 for large pools,
    /// scaled down so that small pools still leave a choice (3 candidates → N = 2).
    public static func defaults(candidates count: Int) -> SelectionRule {
        let experts = min(4, max(min(2, count), count / 2))
        return SelectionRule(experts: experts, shortlist: min(8, max(count, 1)))
    }

    /// Which signal R_P ranks.
    public enum PerplexityMetric: String, Sendable {
        /// Mean-token reasoning perplexity: every scored candidate shares one tokenizer.
        case perplexity = "reasoning_ppl"
        /// Bits per byte of the references: the tokenizers differ.
        case bitsPerByte = "reasoning_bpb"
    }

    /// One candidate's ranks.
    public struct Ranking: Sendable, Equatable {
        /// The candidate.
        public var id: String
        /// R_A: 1 is the most accurate.
        public var accuracyRank: Double
        /// R_P: 1 is the lowest perplexity; `nil` when the candidate cannot score.
        public var perplexityRank: Double?
        /// R_P + R_A, with R_A standing in for a missing R_P.
        public var combined: Double { accuracyRank + (perplexityRank ?? accuracyRank) }
    }

    /// One subset of the shortlist, as the rule scored it.
    public struct Subset: Sendable, Equatable {
        /// The members in shortlist order.
        public var members: [String]
        /// Σ(R_P + R_A) over the members.
        public var rankSum: Double
        /// Mean pairwise distance of the members (0 for one member).
        public var diversity: Double
        /// R_D: 1 is the most diverse subset.
        public var diversityRank: Double
        /// Σ(R_P + R_A) + R_D: the smallest wins.
        public var total: Double { rankSum + diversityRank }
    }

    /// Everything the rule decided, for the report.
    public struct Outcome: Sendable, Equatable {
        /// Ranks of every candidate, best combined first.
        public var rankings: [Ranking]
        /// What R_P ranked.
        public var metric: PerplexityMetric
        /// The M candidates kept for the subset search, best first.
        public var shortlist: [String]
        /// Every subset scored, best first.
        public var subsets: [Subset]
        /// The chosen experts, best combined rank first.
        public var chosen: [String]
    }

    /// Applies the rule; `distance(a, b)` is the diversity distance between two candidates (0…1).
    public func choose(_ evaluations: [CandidateEvaluation], distance: (String, String) -> Double) -> Outcome {
        let order = Dictionary(uniqueKeysWithValues: evaluations.enumerated().map { ($1.id, $0) })
        let accuracyRanks = Self.fractionalRanks(evaluations.map { -$0.accuracy })
        let scored = evaluations.filter { $0.canScore && $0.reasoningBitsPerByte != nil }
        let sharedTokenizer = Set(scored.map(\.tokenizerKey)).count <= 1
        let metric: PerplexityMetric = sharedTokenizer ? .perplexity : .bitsPerByte
        let perplexityValues = scored.map { sharedTokenizer ? $0.reasoningPerplexity ?? .infinity : $0.reasoningBitsPerByte ?? .infinity }
        let perplexityRanks = Dictionary(
            uniqueKeysWithValues: zip(scored.map(\.id), Self.fractionalRanks(perplexityValues)))

        let rankings = evaluations.enumerated().map { index, evaluation in
            Ranking(id: evaluation.id, accuracyRank: accuracyRanks[index], perplexityRank: perplexityRanks[evaluation.id])
        }
        let accuracy = Dictionary(uniqueKeysWithValues: evaluations.map { ($0.id, $0.accuracy) })
        let sorted = rankings.sorted {
            ($0.combined, -(accuracy[$0.id] ?? 0), order[$0.id] ?? 0) < ($1.combined, -(accuracy[$1.id] ?? 0), order[$1.id] ?? 0)
        }
        let shortlist = Array(sorted.prefix(max(1, shortlist)).map(\.id))
        let size = min(max(1, experts), shortlist.count)
        let combined = Dictionary(uniqueKeysWithValues: rankings.map { ($0.id, $0.combined) })

        var subsets = Self.combinations(of: shortlist, size: size).map { members -> Subset in
            var pairs: [Double] = []
            for i in members.indices { for j in members.indices where j > i { pairs.append(distance(members[i], members[j])) } }
            return Subset(
                members: members, rankSum: members.map { combined[$0] ?? 0 }.reduce(0, +),
                diversity: pairs.isEmpty ? 0 : pairs.reduce(0, +) / Double(pairs.count), diversityRank: 0)
        }
        let diversityRanks = Self.fractionalRanks(subsets.map { -$0.diversity })
        for index in subsets.indices { subsets[index].diversityRank = diversityRanks[index] }
        func meanAccuracy(_ s: Subset) -> Double { s.members.map { accuracy[$0] ?? 0 }.reduce(0, +) / Double(s.members.count) }
        subsets.sort { ($0.total, -meanAccuracy($0)) < ($1.total, -meanAccuracy($1)) }
        let chosen = subsets.first?.members.sorted { (combined[$0] ?? 0, order[$0] ?? 0) < (combined[$1] ?? 0, order[$1] ?? 0) } ?? []
        return Outcome(rankings: sorted, metric: metric, shortlist: shortlist, subsets: subsets, chosen: chosen)
    }

    /// Ranks starting at 1 for the smallest value; tied values share the mean of their positions.
    static func fractionalRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for position in start...end { ranks[order[position]] = rank }
            start = end + 1
        }
        return ranks
    }

    /// Every `size`-element subset of `elements`, each in the elements' order, in lexicographic order.
    static func combinations<T>(of elements: [T], size: Int) -> [[T]] {
        guard size > 0, size <= elements.count else { return size == 0 ? [[]] : [] }
        if size == elements.count { return [elements] }
        var result: [[T]] = []
        func extend(_ start: Int, _ current: [T]) {
            if current.count == size {
                result.append(current)
                return
            }
            for index in start..<elements.count where elements.count - index >= size - current.count {
                extend(index + 1, current + [elements[index]])
            }
        }
        extend(0, [])
        return result
    }
}
