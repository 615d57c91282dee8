/// Routes a question to experts by their correctness on its nearest K-shot items.
///
/// An expert's weight is its similarity-weighted accuracy on the `neighbors` nearest K-shot items,
/// smoothed towards its accuracy on all the K-shot items searched (those of the question's answer type)
/// with `prior` pseudo-items, so one lucky neighbour does not decide alone and, when the neighbours are
/// only faintly similar, the expert best at this kind of question leads — not the one best overall.
public struct KNNRouter: Sendable {
    /// The router's K-shot data.
    public var data: RouterData
    /// Nearest items consulted.
    public var neighbors: Int
    /// Weight of the accuracy on the searched items, in pseudo-items of similarity 1.
    public var prior: Double

    /// Creates a router.
    public init(data: RouterData, neighbors: Int = 5, prior: Double = 0.5) {
        self.data = data
        self.neighbors = neighbors
        self.prior = prior
    }

    /// A routing decision for one question.
    public struct Decision: Sendable, Equatable {
        /// Experts and weights, heaviest first (ties: the given expert order).
        public var ranking: [(expert: String, weight: Double)]
        /// The nearest K-shot items with their similarity.
        public var nearest: [(id: String, similarity: Double)]
        /// The answer type most of the similarity mass points to.
        public var type: TaskType?

        /// How clearly the top expert beats the runner-up: top / (top + runner-up), from 0.5 (a tie)
        /// to 1 (only the top expert was ever right here); 0 when no expert has any weight, and the top
        /// weight itself when there is a single expert.
        public var confidence: Double {
            let top = ranking.first?.weight ?? 0
            guard ranking.count > 1 else { return top }
            let second = ranking[1].weight
            return top + second > 0 ? top / (top + second) : 0
        }
        /// The top weight's lead over the runner-up.
        public var margin: Double { (ranking.first?.weight ?? 0) - (ranking.dropFirst().first?.weight ?? 0) }

        public static func == (a: Decision, b: Decision) -> Bool {
            a.ranking.map(\.expert) == b.ranking.map(\.expert) && a.nearest.map(\.id) == b.nearest.map(\.id)
                && a.type == b.type
        }

        /// The decision as JSON, for traces.
        public var json: JSONValue {
            [
                "ranking": .array(ranking.map { ["expert": .string($0.expert), "weight": .number($0.weight)] }),
                "nearest": .array(nearest.map { ["id": .string($0.id), "similarity": .number($0.similarity)] }),
                "type": .optional(type?.rawValue), "confidence": .number(confidence), "margin": .number(margin),
            ]
        }
    }

    /// Routes a question vector among `experts` (in their given order, which breaks ties). With `types`,
    /// only K-shot items of those answer types are neighbours (all items, when none is of them).
    public func route(_ vector: [Float], experts: [String], types: Set<TaskType>? = nil) -> Decision {
        let eligible = types.map { wanted in data.items.indices.filter { wanted.contains(data.items[$0].type) } } ?? []
        let searched = eligible.isEmpty ? Array(data.items.indices) : eligible
        let neighbours = VectorMath.kNearest(query: vector, among: searched.map { data.items[$0].vector }, k: neighbors)
            .filter { $0.similarity > 0 }
            .map { Neighbor(index: searched[$0.index], similarity: $0.similarity) }
        let kindAccuracy = Dictionary(uniqueKeysWithValues: experts.map { expert in
            let known = searched.compactMap { data.items[$0].correct[expert] }
            return (expert, known.isEmpty ? 0 : Double(known.filter { $0 }.count) / Double(known.count))
        })
        let mass = neighbours.map { Double($0.similarity) }.reduce(0, +)
        var ranking = experts.map { expert -> (String, Double) in
            let hits = neighbours.map { n in data.items[n.index].correct[expert] == true ? Double(n.similarity) : 0 }
            return (expert, (hits.reduce(0, +) + prior * (kindAccuracy[expert] ?? 0)) / (mass + prior))
        }
        let order = Dictionary(uniqueKeysWithValues: experts.enumerated().map { ($1, $0) })
        ranking.sort { ($0.1, -(order[$0.0] ?? 0)) > ($1.1, -(order[$1.0] ?? 0)) }
        var typeMass: [TaskType: Double] = [:]
        for n in neighbours { typeMass[data.items[n.index].type, default: 0] += Double(n.similarity) }
        let type = typeMass.max { ($0.value, $0.key.rawValue) < ($1.value, $1.key.rawValue) }?.key
        return Decision(
            ranking: ranking, nearest: neighbours.map { (data.items[$0.index].id, Double($0.similarity)) }, type: type)
    }
}
