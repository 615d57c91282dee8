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
        // The prior is the accuracy on number items only. A: (0.9 + 0.5·1) / 1.4 = 1; B: (0 + 0.5·0) / 1.4 = 0.
        #expect(number.ranking.map(\.expert) == ["A", "B"])
        #expect(abs(number.ranking[0].weight - 1) < 1e-5)
        #expect(abs(number.ranking[1].weight) < 1e-5)

        let choice = router.route([1, 0, 0], experts: ["A", "B"], types: [.multipleChoice])
        #expect(choice.nearest.map(\.id) == ["m1", "m2"])
        #expect(choice.ranking.map(\.expert) == ["B", "A"])
    }

    /// Faint neighbours (as a short question's hashed n-grams give) leave the prior in charge: it must be
    /// the accuracy on the question's type, or the expert strongest on other kinds of item would lead.
    @Test func faintNeighboursDeferToTheAccuracyOnTheQuestionsType() {
        var items = (0..<4).map { i in
            RouterData.Item(id: "n\(i)", type: .number, snippet: "", vector: [0, 1, 0], correct: ["A": true, "B": false])
        }
        items += [
            RouterData.Item(id: "m1", type: .multipleChoice, snippet: "", vector: [0.05, 0, 0.99875], correct: ["A": false, "B": true]),
            RouterData.Item(id: "m2", type: .multipleChoice, snippet: "", vector: [0.04, 0, 0.9992], correct: ["A": false, "B": true]),
            RouterData.Item(id: "m3", type: .multipleChoice, snippet: "", vector: [0.03, 0, 0.99955], correct: ["A": true, "B": false]),
        ]
        let router = KNNRouter(data: RouterData(vectors: .tfidf(TextVectorizer(dimensions: 3)), items: items), neighbors: 3, prior: 0.5)
        let decision = router.route([1, 0, 0], experts: ["A", "B"], types: [.multipleChoice])
        #expect(decision.nearest.map(\.id) == ["m1", "m2", "m3"])
        // A is right on 5 of the 7 items but on 1 of the 3 of this type; B on 2 of 3.
        // B: (0.05 + 0.04 + 0.5·2/3) / 0.62 ≈ 0.68; A: (0.03 + 0.5·1/3) / 0.62 ≈ 0.32. (With the
        // accuracy on all items as the prior, A would lead: (0.03 + 0.5·5/7) / 0.62 ≈ 0.62.)
        #expect(decision.ranking.map(\.expert) == ["B", "A"])
    }

    @Test func typesNoItemHasAreIgnored() {
        let router = KNNRouter(data: Self.data, neighbors: 3, prior: 0.5)
        #expect(router.route([1, 0, 0], experts: ["A", "B"], types: [.yesNo]).nearest.map(\.id) == ["n1", "m1", "m2"])
        #expect(router.route([1, 0, 0], experts: ["A", "B"], types: []).nearest.map(\.id) == ["n1", "m1", "m2"])
    }
}
