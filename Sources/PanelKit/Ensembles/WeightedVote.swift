/// Weighted majority over extracted answers (self-consistency when all weights are equal).
///
/// Ties are broken by the number of votes, then by the heaviest single vote, then by the answer seen
/// first, so the outcome never depends on dictionary order.
public struct WeightedVote: Sendable, Equatable {
    /// The winning answer, or `.unparsable` when no proposal had one.
    public var winner: ExtractedAnswer
    /// The index of the first proposal giving the winning answer.
    public var representative: Int?
    /// Each answer's total weight, heaviest first.
    public var tally: [(answer: String, weight: Double, votes: Int)]

    /// Counts `proposals`, each weighing `weight(expert)` times its multiplicity.
    public init(_ proposals: [Proposal], weight: (String) -> Double) {
        var totals: [String: (weight: Double, votes: Int, heaviest: Double, first: Int)] = [:]
        for (index, proposal) in proposals.enumerated() {
            guard let answer = proposal.extracted.text else { continue }
            let w = weight(proposal.expert)
            var entry = totals[answer] ?? (0, 0, 0, index)
            entry.weight += w * Double(proposal.count)
            entry.votes += proposal.count
            entry.heaviest = max(entry.heaviest, w)
            totals[answer] = entry
        }
        let ranked = totals.sorted { a, b in
            if a.value.weight != b.value.weight { return a.value.weight > b.value.weight }
            if a.value.votes != b.value.votes { return a.value.votes > b.value.votes }
            if a.value.heaviest != b.value.heaviest { return a.value.heaviest > b.value.heaviest }
            return a.value.first < b.value.first
        }
        winner = ranked.first.map { .answer($0.key) } ?? .unparsable
        representative = ranked.first?.value.first
        tally = ranked.map { ($0.key, $0.value.weight, $0.value.votes) }
    }

    public static func == (a: WeightedVote, b: WeightedVote) -> Bool {
        a.winner == b.winner && a.representative == b.representative
            && a.tally.map(\.answer) == b.tally.map(\.answer)
    }

    /// The tally as JSON, for traces.
    public var json: JSONValue {
        .array(tally.map { ["answer": .string($0.answer), "weight": .number($0.weight), "votes": .int($0.votes)] })
    }
}
