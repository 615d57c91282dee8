import Foundation
import Testing

@testable import PanelKit

/// Routing restricted to K-shot items of some answer types (a mixed K-shot file).
@Suite struct KNNRouterTypeTests {
    /// Query (1,0,0): close to the number item n1 (A right) and, less, to the multiple-choice items m1, m2
    /// (B right on both). B is the more accurate overall (2/3 against 1/3).
    static let data = RouterData(
        vectors: .tfidf(TextVectorizer(dimensions: 3)),
        items: [
            RouterData.Item(id: "n1", type: .number, snippet: "", vector: [0.9, 0.43589, 0], correct: ["A": true, "B": false]),
            RouterData.Item(id: "m1", type: .multipleChoice, snippet: "", vector: [0.6, 0.8, 0], correct: ["A": false, "B": true]),
            RouterData.Item(id: "m2", type: .multipleChoice, snippet: "", vector: [0.6, 0, 0.8], correct: ["A": false, "B": true]),
        ])

    @Test func allTypesMixWithoutARestriction() {
        let decision = KNNRouter(data: Self.data, neighbors: 3, prior: 0.5).route([1, 0, 0], experts: ["A", "B"])
        #expect(decision.nearest.map(\.id) == ["n1", "m1", "m2"])
        // A: (0.9 + 0.5/3) / (2.1 + 0.5) = 0.41; B: (1.2 + 1/3) / 2.6 = 0.59: the letters outvote the sums.
        #expect(decision.ranking.map(\.expert) == ["B", "A"])
    }

    @Test func onlyItemsOfTheGivenTypesAreNeighbours() {
        let router = KNNRouter(data: Self.data, neighbors: 3, prior: 0.5)
        let number = router.route([1, 0, 0], experts: ["A", "B"], types: [.number])
        #expect(number.nearest.map(\.id) == ["n1"])
        #expect(number.type == .number)
        // A: (0.9 + 0.5/3) / 1.4 = 0.76; B: (0 + 1/3) / 1.4 = 0.24.
        #expect(number.ranking.map(\.expert) == ["A", "B"])
        #expect(abs(number.ranking[0].weight - (0.9 + 0.5 / 3) / 1.4) < 1e-5)

        let choice = router.route([1, 0, 0], experts: ["A", "B"], types: [.multipleChoice])
        #expect(choice.nearest.map(\.id) == ["m1", "m2"])
        #expect(choice.ranking.map(\.expert) == ["B", "A"])
    }

    @Test func typesNoItemHasAreIgnored() {
        let router = KNNRouter(data: Self.data, neighbors: 3, prior: 0.5)
        #expect(router.route([1, 0, 0], experts: ["A", "B"], types: [.yesNo]).nearest.map(\.id) == ["n1", "m1", "m2"])
        #expect(router.route([1, 0, 0], experts: ["A", "B"], types: []).nearest.map(\.id) == ["n1", "m1", "m2"])
    }
}
