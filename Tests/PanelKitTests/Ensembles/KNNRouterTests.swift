import Foundation
import Testing

@testable import PanelKit

/// kNN routing by neighbours' correctness, against hand-computed weights.
@Suite struct KNNRouterTests {
    /// i1 (1,0,0) number, A right · i2 (0.8,0.6,0) number, B right · i3 (0,1,0) yes-no, B right ·
    /// i4 (0,0,1) yes-no, both right. Overall accuracy: A 2/4 = 0.5, B 3/4 = 0.75.
    static let data = RouterData(
        vectors: .tfidf(TextVectorizer(dimensions: 3)),
        items: [
            RouterData.Item(id: "i1", type: .number, snippet: "", vector: [1, 0, 0], correct: ["A": true, "B": false]),
            RouterData.Item(id: "i2", type: .number, snippet: "", vector: [0.8, 0.6, 0], correct: ["A": false, "B": true]),
            RouterData.Item(id: "i3", type: .yesNo, snippet: "", vector: [0, 1, 0], correct: ["A": false, "B": true]),
            RouterData.Item(id: "i4", type: .yesNo, snippet: "", vector: [0, 0, 1], correct: ["A": true, "B": true]),
        ])

    static func near(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-5 }

    @Test func weightsAreSimilarityWeightedAccuracySmoothedByThePrior() throws {
        let decision = KNNRouter(data: Self.data, neighbors: 2, prior: 0.5).route([1, 0, 0], experts: ["A", "B"])
        // Nearest two: i1 (1.0), i2 (0.8); mass 1.8.
        #expect(decision.nearest.map(\.id) == ["i1", "i2"])
        #expect(Self.near(decision.nearest[1].similarity, 0.8))
        // A: (1.0 + 0.5·0.5) / (1.8 + 0.5) = 1.25/2.3 = 0.543478
        // B: (0.8 + 0.5·0.75) / 2.3 = 1.175/2.3 = 0.510870
        #expect(decision.ranking.map(\.expert) == ["A", "B"])
        #expect(Self.near(decision.ranking[0].weight, 1.25 / 2.3))
        #expect(Self.near(decision.ranking[1].weight, 1.175 / 2.3))
        #expect(Self.near(decision.confidence, 1.25 / (1.25 + 1.175)))  // top / (top + runner-up)
        #expect(Self.near(decision.margin, 0.075 / 2.3))
        #expect(decision.type == .number)
    }

    @Test func thePriorDecidesWhenNeighboursAreSplit() {
        // Query (0,1,0), three neighbours: i3 (1.0, B), i2 (0.6, B), i1 and i4 at 0 are filtered out.
        // A: (0 + 0.25)/(1.6 + 0.5) = 0.119; B: (1.6 + 0.375)/2.1 = 0.940.
        let decision = KNNRouter(data: Self.data, neighbors: 3, prior: 0.5).route([0, 1, 0], experts: ["A", "B"])
        #expect(decision.nearest.map(\.id) == ["i3", "i2"])
        #expect(decision.ranking.map(\.expert) == ["B", "A"])
        #expect(Self.near(decision.ranking[0].weight, 1.975 / 2.1))
        #expect(Self.near(decision.ranking[1].weight, 0.25 / 2.1))
        // Similarity mass: yes-no 1.0 (i3) against number 0.6 (i2).
        #expect(decision.type == .yesNo)
    }

    @Test func withNoSimilarNeighbourTheOverallAccuracyRules() {
        // Orthogonal to everything: no neighbours, weights = overall accuracy (prior/prior).
        let data = RouterData(vectors: Self.data.vectors, items: Array(Self.data.items.prefix(3)))
        let decision = KNNRouter(data: data, neighbors: 5).route([0, 0, 1], experts: ["A", "B"])
        #expect(decision.nearest.isEmpty)
        #expect(decision.type == nil)
        // Over i1…i3: A 1/3, B 2/3.
        #expect(decision.ranking.map(\.expert) == ["B", "A"])
        #expect(Self.near(decision.ranking[0].weight, 2.0 / 3))
        #expect(Self.near(decision.ranking[1].weight, 1.0 / 3))
    }

    @Test func tiesFollowTheGivenExpertOrder() {
        // Neither C nor D appears in the data: both weigh 0.
        let router = KNNRouter(data: Self.data, neighbors: 2)
        #expect(router.route([1, 0, 0], experts: ["D", "C"]).ranking.map(\.expert) == ["D", "C"])
        #expect(router.route([1, 0, 0], experts: ["C", "D"]).ranking.map(\.expert) == ["C", "D"])
        // Equal non-zero weights too: the query is equally close to i1 (A) and i3 (B)... with a prior of 0.
        let balanced = RouterData(
            vectors: Self.data.vectors,
            items: [
                RouterData.Item(id: "x", type: .number, snippet: "", vector: [1, 0, 0], correct: ["A": true, "B": false]),
                RouterData.Item(id: "y", type: .number, snippet: "", vector: [0, 1, 0], correct: ["A": false, "B": true]),
            ])
        let query: [Float] = [1, 1, 0]
        let ab = KNNRouter(data: balanced, neighbors: 2, prior: 0).route(query, experts: ["A", "B"])
        let ba = KNNRouter(data: balanced, neighbors: 2, prior: 0).route(query, experts: ["B", "A"])
        #expect(Self.near(ab.ranking[0].weight, ab.ranking[1].weight))
        #expect(ab.ranking.map(\.expert) == ["A", "B"])
        #expect(ba.ranking.map(\.expert) == ["B", "A"])
        #expect(ab.margin == 0)
    }

    @Test func anEmptyRouterFallsBackToEqualZeroWeights() {
        let decision = KNNRouter(data: RouterData(vectors: Self.data.vectors, items: [])).route([1, 0, 0], experts: ["A", "B"])
        #expect(decision.ranking.map(\.expert) == ["A", "B"])
        #expect(decision.confidence == 0)
        #expect(decision.nearest.isEmpty)
    }
}
