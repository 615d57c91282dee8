import Testing

@testable import PanelKit

/// Weighted majority and its tie-breaking, and the near-duplicate collapse that precedes fusion.
@Suite struct WeightedVoteTests {
    static func proposal(_ expert: String, _ answer: String?, count: Int = 1, text: String? = nil) -> Proposal {
        Proposal(
            expert: expert, text: text ?? "\(expert) says \(answer ?? "nothing")",
            extracted: answer.map { .answer($0) } ?? .unparsable, count: count)
    }

    static let weights: [String: Double] = ["one": 1, "half": 0.5, "half2": 0.5, "quarter": 0.25, "threeQ": 0.75, "heavy": 5]
    static func weight(_ expert: String) -> Double { weights[expert] ?? 1 }

    @Test func theHeaviestAnswerWins() {
        let vote = WeightedVote([Self.proposal("one", "X"), Self.proposal("heavy", "Y"), Self.proposal("one", "X")], weight: Self.weight)
        #expect(vote.winner == .answer("Y"))
        #expect(vote.representative == 1)
        #expect(vote.tally.map(\.answer) == ["Y", "X"])
        #expect(vote.tally.map(\.weight) == [5, 2])
        #expect(vote.tally.map(\.votes) == [1, 2])
    }

    @Test func equalWeightMoreVotesWins() {
        // X: one vote of 1.0; Y: two votes of 0.5. Same weight, Y has more votes, although X came first.
        let vote = WeightedVote(
            [Self.proposal("one", "X"), Self.proposal("half", "Y"), Self.proposal("half2", "Y")], weight: Self.weight)
        #expect(vote.tally.map(\.weight) == [1, 1])
        #expect(vote.winner == .answer("Y"))
        #expect(vote.representative == 1)
    }

    @Test func equalWeightAndVotesTheHeavierSingleVoteWins() {
        // Y (first seen): 0.5 + 0.5; X: 0.25 + 0.75. Both weigh 1.0 with two votes; X's heaviest vote is 0.75.
        let vote = WeightedVote(
            [
                Self.proposal("half", "Y"), Self.proposal("quarter", "X"), Self.proposal("half2", "Y"),
                Self.proposal("threeQ", "X"),
            ], weight: Self.weight)
        #expect(vote.winner == .answer("X"))
        #expect(vote.representative == 1)
    }

    @Test func aFullTieGoesToTheAnswerSeenFirst() {
        let xy = WeightedVote([Self.proposal("one", "X"), Self.proposal("one", "Y")], weight: Self.weight)
        #expect(xy.winner == .answer("X"))
        let yx = WeightedVote([Self.proposal("one", "Y"), Self.proposal("one", "X")], weight: Self.weight)
        #expect(yx.winner == .answer("Y"))
        #expect(yx.tally.map(\.answer) == ["Y", "X"])
    }

    @Test func unparsableProposalsNeverWin() {
        let vote = WeightedVote(
            [Self.proposal("heavy", nil), Self.proposal("heavy", nil), Self.proposal("quarter", "X")], weight: Self.weight)
        #expect(vote.winner == .answer("X"))
        #expect(vote.representative == 2)
        #expect(vote.tally.map(\.answer) == ["X"])

        let none = WeightedVote([Self.proposal("one", nil)], weight: Self.weight)
        #expect(none.winner == .unparsable)
        #expect(none.representative == nil)
        #expect(none.tally.isEmpty)
        #expect(WeightedVote([], weight: Self.weight).winner == .unparsable)
    }

    @Test func multiplicityCountsAsThatManyVotes() {
        // X stands for three collapsed proposals of weight 1 (3.0); Y is one vote of 2.5.
        let vote = WeightedVote(
            [Self.proposal("one", "Y", count: 1, text: "y"), Self.proposal("one", "X", count: 3)],
            weight: { $0 == "one" ? 1 : 0 })
        #expect(vote.winner == .answer("X"))
        #expect(vote.tally.map(\.votes) == [3, 1])
        let heavierY = WeightedVote(
            [Self.proposal("y", "Y"), Self.proposal("x", "X", count: 3)], weight: { $0 == "y" ? 2.5 : 0.5 })
        #expect(heavierY.winner == .answer("Y"))
        #expect(heavierY.tally.map(\.weight) == [2.5, 1.5])
    }

    // MARK: Collapse

    @Test func identicalAndNearIdenticalProposalsCollapseWithSummedCounts() {
        let proposals = [
            Self.proposal("m", "18", text: "Janet sells 9 eggs at $2 each, so she makes $18 per day. The answer is 18."),
            Self.proposal("m", "20", text: "Ten eggs are sold at two dollars apiece, twenty in all. The answer is 20."),
            // Same words, other case, spacing and punctuation.
            Self.proposal("m", "18", text: "janet sells 9 eggs at $2 each,   so she makes $18 per day!  The answer is 18"),
            // Already standing for two.
            Self.proposal("m", "18", count: 2, text: "Janet sells 9 eggs at $2 each, so she makes $18 per day. The answer is 18."),
            Self.proposal("m", "20", text: "Perhaps the farmers pay twenty dollars for the whole basket. The answer is 20."),
        ]
        let collapsed = ProposalCollapser().collapse(proposals)
        #expect(collapsed.count == 3)
        #expect(collapsed.map(\.text) == [proposals[0].text, proposals[1].text, proposals[4].text])
        #expect(collapsed.map(\.count) == [4, 1, 1])
        #expect(collapsed.map(\.count).reduce(0, +) == proposals.map(\.count).reduce(0, +))
    }

    @Test func distinctProposalsAreKeptInOrder() {
        let texts = [
            "Adding the apples gives seven. The answer is 7.",
            "Multiply the rows by the columns: twelve. The answer is 12.",
            "Half of the budget remains, forty dollars. The answer is 40.",
            "Subtracting the returned books leaves three. The answer is 3.",
        ]
        let proposals = texts.map { Self.proposal("m", String($0.dropLast().split(separator: " ").last!), text: $0) }
        #expect(ProposalCollapser().collapse(proposals) == proposals)
        #expect(ProposalCollapser().collapse([]) == [])
        #expect(ProposalCollapser().collapse([proposals[0]]) == [proposals[0]])
    }
}
