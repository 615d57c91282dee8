import Foundation
import Testing

@testable import PanelKit

/// K-PAPER Algorithm 1 against rankings computed by hand.
@Suite struct SelectionRuleTests {
    /// A candidate with `correct` of four items right, each item's gold reference scored with `logprobs`
    /// (10 bytes per reference), or no scores when `canScore` is false.
    static func candidate(
        _ id: String, correct: Int, logprobs: [Double], tokenizer: String, canScore: Bool = true
    ) -> CandidateEvaluation {
        let records = (0..<4).map { index in
            KShotRecord(
                itemID: "q\(index)", output: "out", extracted: .answer("\(index)"), correct: index < correct,
                reference: canScore ? ContinuationScore(tokenLogprobs: logprobs, byteCount: 10, exact: true) : nil)
        }
        return CandidateEvaluation(id: id, records: records, canScore: canScore, tokenizerKey: tokenizer)
    }

    /// The five candidates of the hand computation.
    ///
    /// | id | correct | token logprobs per item | NLL/item | ppl/item = e^(NLL/tokens) | bpb = NLL/ln2/10 |
    /// |----|---------|-------------------------|----------|---------------------------|------------------|
    /// | A  | 3/4     | [-1, -1]                | 2        | e^1   = 2.72              | 0.2885           |
    /// | B  | 3/4     | [-1.5]                  | 1.5      | e^1.5 = 4.48              | 0.2164           |
    /// | C  | 2/4     | [-0.5 × 4]              | 2        | e^0.5 = 1.65              | 0.2885 (= A)     |
    /// | D  | 1/4     | [-3]                    | 3        | e^3   = 20.1              | 0.4328           |
    /// | E  | 4/4     | cannot score            | –        | –                         | –                |
    static func pool(tokenizers: [String]) -> [CandidateEvaluation] {
        [
            candidate("A", correct: 3, logprobs: [-1, -1], tokenizer: tokenizers[0]),
            candidate("B", correct: 3, logprobs: [-1.5], tokenizer: tokenizers[1]),
            candidate("C", correct: 2, logprobs: [-0.5, -0.5, -0.5, -0.5], tokenizer: tokenizers[2]),
            candidate("D", correct: 1, logprobs: [-3], tokenizer: tokenizers[3]),
            candidate("E", correct: 4, logprobs: [], tokenizer: "other", canScore: false),
        ]
    }

    /// Pairwise distances: E–B 0.1, E–A 0.6, E–C 0.9, B–A 0.3, B–C 0.5, A–C 0.2, anything with D 0.4.
    static func distance(_ a: String, _ b: String) -> Double {
        let table: [Set<String>: Double] = [
            ["E", "B"]: 0.1, ["E", "A"]: 0.6, ["E", "C"]: 0.9, ["B", "A"]: 0.3, ["B", "C"]: 0.5, ["A", "C"]: 0.2,
        ]
        return table[[a, b]] ?? 0.4
    }

    static func ranking(_ outcome: SelectionRule.Outcome, _ id: String) -> SelectionRule.Ranking? {
        outcome.rankings.first { $0.id == id }
    }

    @Test func differentTokenizersRankBitsPerByteWithFractionalTiesAndAMissingScore() throws {
        let outcome = SelectionRule(experts: 2, shortlist: 4).choose(
            Self.pool(tokenizers: ["t1", "t2", "t1", "t2"]), distance: Self.distance)
        #expect(outcome.metric == .bitsPerByte)

        // R_A (accuracy descending): E 1; A and B tie at 0.75 → (2+3)/2 = 2.5 each; C 4; D 5.
        // R_P (bpb ascending):        B 1; A and C tie at 0.2885 → (2+3)/2 = 2.5 each; D 4; E none.
        // R_P + R_A: A 5, B 3.5, C 6.5, D 9, E 1 + 1 = 2 (its R_A stands in for the missing R_P).
        let expected: [(String, Double, Double?)] = [
            ("E", 1, nil), ("B", 2.5, 1), ("A", 2.5, 2.5), ("C", 4, 2.5), ("D", 5, 4),
        ]
        #expect(outcome.rankings.map(\.id) == expected.map(\.0))
        for (id, accuracyRank, perplexityRank) in expected {
            let ranking = try #require(Self.ranking(outcome, id))
            #expect(ranking.accuracyRank == accuracyRank, "R_A of \(id)")
            #expect(ranking.perplexityRank == perplexityRank, "R_P of \(id)")
        }
        #expect(outcome.rankings.map(\.combined) == [2, 3.5, 5, 6.5, 9])

        // Top M = 4 by R_P + R_A: E, B, A, C (D, the weakest, is dropped before the subset search).
        #expect(outcome.shortlist == ["E", "B", "A", "C"])

        // Every 2-subset of the shortlist:
        //   subset  Σ(R_P+R_A)  diversity  R_D   total
        //   E,B     5.5         0.1        6     11.5
        //   E,A     7           0.6        2      9    ← smallest
        //   E,C     8.5         0.9        1      9.5
        //   B,A     8.5         0.3        4     12.5
        //   B,C     10          0.5        3     13
        //   A,C     11.5        0.2        5     16.5
        // E,B has the best rank sum but is the least diverse pair; diversity moves the choice to E,A.
        #expect(outcome.subsets.map(\.members) == [["E", "A"], ["E", "C"], ["E", "B"], ["B", "A"], ["B", "C"], ["A", "C"]])
        #expect(outcome.subsets.map(\.rankSum) == [7, 8.5, 5.5, 8.5, 10, 11.5])
        #expect(outcome.subsets.map(\.diversityRank) == [2, 1, 6, 4, 3, 5])
        #expect(outcome.subsets.map(\.total) == [9, 9.5, 11.5, 12.5, 13, 16.5])
        #expect(outcome.subsets[0].diversity == 0.6)
        #expect(outcome.chosen == ["E", "A"])
    }

    @Test func aSharedTokenizerRanksPerTokenPerplexityAndChangesTheChoice() throws {
        let outcome = SelectionRule(experts: 2, shortlist: 4).choose(
            Self.pool(tokenizers: ["t1", "t1", "t1", "t1"]), distance: Self.distance)
        #expect(outcome.metric == .perplexity)

        // R_P (ppl ascending): C 1 (1.65), A 2 (2.72), B 3 (4.48), D 4 (20.1).
        // R_P + R_A: A 2.5+2 = 4.5, B 2.5+3 = 5.5, C 4+1 = 5, D 9, E 2.
        #expect(outcome.rankings.map(\.id) == ["E", "A", "C", "B", "D"])
        #expect(outcome.rankings.map(\.combined) == [2, 4.5, 5, 5.5, 9])
        #expect(Self.ranking(outcome, "C")?.perplexityRank == 1)
        #expect(outcome.shortlist == ["E", "A", "C", "B"])

        //   subset  Σ     diversity  R_D  total
        //   E,A     6.5   0.6        2     8.5
        //   E,C     7     0.9        1     8    ← smallest
        //   E,B     7.5   0.1        6    13.5  (ties with C,B; higher mean accuracy first: 0.875 > 0.625)
        //   A,C     9.5   0.2        5    14.5
        //   A,B     10    0.3        4    14
        //   C,B     10.5  0.5        3    13.5
        #expect(outcome.subsets.map(\.members) == [["E", "C"], ["E", "A"], ["E", "B"], ["C", "B"], ["A", "B"], ["A", "C"]])
        #expect(outcome.subsets.map(\.total) == [8, 8.5, 13.5, 13.5, 14, 14.5])
        #expect(outcome.chosen == ["E", "C"])
    }

    @Test func theChosenExpertsComeBestCombinedRankFirst() {
        // M = 2 leaves one subset, {E, B}: no diversity choice, chosen in combined-rank order.
        let outcome = SelectionRule(experts: 2, shortlist: 2).choose(
            Self.pool(tokenizers: ["t1", "t2", "t1", "t2"]), distance: Self.distance)
        #expect(outcome.shortlist == ["E", "B"])
        #expect(outcome.subsets.count == 1)
        #expect(outcome.chosen == ["E", "B"])
    }

    @Test func moreExpertsThanShortlistedUsesTheWholeShortlist() {
        let outcome = SelectionRule(experts: 5, shortlist: 3).choose(
            Self.pool(tokenizers: ["t1", "t2", "t1", "t2"]), distance: Self.distance)
        #expect(outcome.shortlist == ["E", "B", "A"])
        #expect(outcome.chosen == ["E", "B", "A"])
        #expect(outcome.subsets.count == 1)
    }

    @Test func aSingleScoredCandidateCountsAsOneTokenizer() {
        var pool = Self.pool(tokenizers: ["t1", "t2", "t1", "t2"])
        pool = [pool[0], pool[4]]  // A scores, E cannot
        let outcome = SelectionRule(experts: 1, shortlist: 2).choose(pool, distance: Self.distance)
        #expect(outcome.metric == .perplexity)
        // E: R_A 1, no R_P → 2; A: R_A 2, R_P 1 → 3.
        #expect(outcome.rankings.map(\.id) == ["E", "A"])
        #expect(outcome.chosen == ["E"])
    }

    @Test func fractionalRanksAverageTiedPositions() {
        #expect(SelectionRule.fractionalRanks([]) == [])
        #expect(SelectionRule.fractionalRanks([3, 1, 2]) == [3, 1, 2])
        #expect(SelectionRule.fractionalRanks([5, 5, 5]) == [2, 2, 2])
        #expect(SelectionRule.fractionalRanks([0.2, 0.1, 0.2, 0.4, 0.1]) == [3.5, 1.5, 3.5, 5, 1.5])
        #expect(SelectionRule.fractionalRanks([-.infinity, .infinity, 0]) == [1, 3, 2])
    }

    @Test(arguments: [
        (1, 1, 1), (2, 2, 2), (3, 2, 3), (5, 2, 5), (8, 4, 8), (12, 4, 8),
    ])
    func defaultsScaleWithThePool(candidates: Int, experts: Int, shortlist: Int) {
        let rule = SelectionRule.defaults(candidates: candidates)
        #expect(rule.experts == experts)
        #expect(rule.shortlist == shortlist)
        // A choice remains whenever there are more than two candidates.
        if candidates > 2 { #expect(rule.experts < rule.shortlist) }
    }

    @Test func combinationsAreLexicographicAndComplete() {
        #expect(SelectionRule.combinations(of: ["a", "b", "c", "d"], size: 2) == [
            ["a", "b"], ["a", "c"], ["a", "d"], ["b", "c"], ["b", "d"], ["c", "d"],
        ])
        #expect(SelectionRule.combinations(of: ["a", "b", "c"], size: 3) == [["a", "b", "c"]])
        #expect(SelectionRule.combinations(of: ["a", "b", "c"], size: 1) == [["a"], ["b"], ["c"]])
        #expect(SelectionRule.combinations(of: ["a", "b"], size: 0) == [[]])
        #expect(SelectionRule.combinations(of: ["a", "b"], size: 3) == [])
        // The paper's M = 8, N = 4: C(8, 4) = 70 distinct subsets, each in element order.
        let subsets = SelectionRule.combinations(of: Array(0..<8), size: 4)
        #expect(subsets.count == 70)
        #expect(Set(subsets).count == 70)
        #expect(subsets.allSatisfy { $0 == $0.sorted() })
    }
}
