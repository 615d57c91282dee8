/// Collapses near-duplicate proposals before fusion, so the aggregator's window holds distinct
/// material; the kept proposal records how many it stands for.
public struct ProposalCollapser: Sendable {
    /// Cosine similarity of the texts' TF-IDF vectors at or above which two proposals are duplicates.
    public var threshold: Float

    /// Creates a collapser.
    public init(threshold: Float = 0.95) {
        self.threshold = threshold
    }

    /// The distinct proposals in first-seen order, each with its multiplicity.
    public func collapse(_ proposals: [Proposal]) -> [Proposal] {
        guard proposals.count > 1 else { return proposals }
        let texts = proposals.map { Self.normalized($0.text) }
        let vectors = TextVectorizer().fitted(to: texts).vectors(for: texts)
        var kept: [(index: Int, proposal: Proposal)] = []
        for (index, proposal) in proposals.enumerated() {
            if let match = kept.firstIndex(where: { entry in
                texts[entry.index] == texts[index] || VectorMath.cosine(vectors[entry.index], vectors[index]) >= threshold
            }) {
                kept[match].proposal.count += proposal.count
            } else {
                kept.append((index, proposal))
            }
        }
        return kept.map(\.proposal)
    }

    private static func normalized(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
