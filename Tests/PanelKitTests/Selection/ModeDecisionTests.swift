import Testing

@testable import PanelKit

/// Self-MoA versus MoE from the K-shot evidence.
@Suite struct ModeDecisionTests {
    /// A candidate right exactly on the items in `right` out of `total`.
    static func candidate(_ id: String, right: Set<Int>, total: Int = 20) -> CandidateEvaluation {
        CandidateEvaluation(
            id: id,
            records: (0..<total).map { index in
                KShotRecord(
                    itemID: "k\(index)", output: "", extracted: right.contains(index) ? .answer("1") : .answer("0"),
                    correct: right.contains(index))
            },
            canScore: false, tokenizerKey: "t")
    }

    @Test func aClearlyBetterBestGivesSelfMoA() throws {
        // best right on 0…11 (12/20), runner-up on 12, 13 (2/20): discordant 12 vs 2,
        // exact McNemar p = 2·(C(14,0)+C(14,1)+C(14,2))/2^14 = 2·106/16384 = 0.01294.
        let evaluations = [Self.candidate("big", right: Set(0..<12)), Self.candidate("small", right: [12, 13])]
        let decision = ModeDecision.decide(chosen: ["big", "small"], evaluations: evaluations)
        #expect(decision.mode == .selfMoA)
        #expect(decision.best == "big")
        let p = try #require(decision.pValue)
        #expect(abs(p - 212.0 / 16384) < 1e-12)
        #expect(decision.reason.contains("McNemar p=0.013"))
        #expect(decision.reason.contains("12 vs 2"))
        #expect(decision.complementaryItems == 2)
    }

    @Test func similarAndComplementaryExpertsGiveMoE() throws {
        // best 0…9 (10), runner-up 8…16 (9): discordant 8 vs 7, p = 1; 7 items the runner-up gets right and
        // the best does not, at least max(2, ⌈0.1·20⌉) = 2.
        let evaluations = [Self.candidate("a", right: Set(0..<10)), Self.candidate("b", right: Set(8..<17))]
        let decision = ModeDecision.decide(chosen: ["a", "b"], evaluations: evaluations)
        #expect(decision.mode == .moe)
        #expect(decision.best == "a")
        #expect(decision.pValue == 1)
        #expect(decision.complementaryItems == 7)
        #expect(decision.reason.contains("similar quality"))
    }

    @Test func similarButRedundantExpertsGiveSelfMoA() {
        // The runner-up's right items are a subset of the best's: nothing to route to.
        let evaluations = [Self.candidate("a", right: Set(0..<10)), Self.candidate("b", right: Set(0..<9))]
        let decision = ModeDecision.decide(chosen: ["a", "b"], evaluations: evaluations)
        #expect(decision.mode == .selfMoA)
        #expect(decision.best == "a")
        #expect(decision.complementaryItems == 0)
        #expect(decision.pValue == 1)
        #expect(decision.reason.contains("not ahead"))
    }

    @Test(arguments: [(1, EnsembleMode.selfMoA), (2, EnsembleMode.moe)])
    func complementarityThresholdIsTwoItemsOfTwenty(complementary: Int, mode: EnsembleMode) {
        // best right on 0…9; runner-up right on 0…(8 − complementary) plus `complementary` items the best misses,
        // 9 right in total: never separated (|b − c| ≤ 1).
        let extra = Set(10..<(10 + complementary))
        let runner = Set(0..<(9 - complementary)).union(extra)
        let evaluations = [Self.candidate("a", right: Set(0..<10)), Self.candidate("b", right: runner)]
        let decision = ModeDecision.decide(chosen: ["a", "b"], evaluations: evaluations)
        #expect(decision.complementaryItems == complementary)
        #expect(decision.mode == mode)
    }

    @Test func complementarityCountsEveryOtherExpertNotOnlyTheRunnerUp() {
        // b (9) is the runner-up and redundant; c (3) is right on three items a misses.
        let evaluations = [
            Self.candidate("a", right: Set(0..<10)), Self.candidate("b", right: Set(0..<9)),
            Self.candidate("c", right: [17, 18, 19]),
        ]
        let decision = ModeDecision.decide(chosen: ["a", "b", "c"], evaluations: evaluations)
        #expect(decision.complementaryItems == 3)
        #expect(decision.mode == .moe)
    }

    @Test func theMostAccurateChosenExpertIsBestWhateverItsRank() {
        let evaluations = [Self.candidate("ranked-first", right: Set(0..<5)), Self.candidate("accurate", right: Set(0..<15))]
        let decision = ModeDecision.decide(chosen: ["ranked-first", "accurate"], evaluations: evaluations)
        #expect(decision.best == "accurate")
        #expect(decision.mode == .selfMoA)  // 15 vs 5, discordant 10 vs 0: p = 2/1024
    }

    @Test func equalAccuracyKeepsTheRuleOrder() {
        let evaluations = [Self.candidate("x", right: Set(0..<10)), Self.candidate("y", right: Set(10..<20))]
        #expect(ModeDecision.decide(chosen: ["x", "y"], evaluations: evaluations).best == "x")
        #expect(ModeDecision.decide(chosen: ["y", "x"], evaluations: evaluations).best == "y")
    }

    @Test func nothingCorrectGivesSelfMoAOnTheFirstChosen() {
        let evaluations = [Self.candidate("a", right: []), Self.candidate("b", right: [])]
        let decision = ModeDecision.decide(chosen: ["b", "a"], evaluations: evaluations)
        #expect(decision.mode == .selfMoA)
        #expect(decision.best == "b")
        #expect(decision.pValue == nil)
        #expect(decision.reason.contains("no candidate answered any of the 20"))
    }

    @Test func aSingleChosenExpertGivesSelfMoAOnIt() {
        let evaluations = [Self.candidate("solo", right: Set(0..<7)), Self.candidate("unchosen", right: Set(0..<20))]
        let decision = ModeDecision.decide(chosen: ["solo"], evaluations: evaluations)
        #expect(decision.mode == .selfMoA)
        #expect(decision.best == "solo")
        #expect(decision.pValue == nil)
        #expect(decision.reason.contains("only expert chosen (7/20 correct)"))
    }

    @Test func noEvaluatedExpertStillDecides() {
        let decision = ModeDecision.decide(chosen: ["ghost"], evaluations: [])
        #expect(decision.mode == .selfMoA)
        #expect(decision.best == "ghost")
    }
}
