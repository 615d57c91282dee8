import Foundation
import Testing

@testable import PanelKit

/// Evaluation statistics from committed outcomes, against hand counts.
@Suite struct EvaluationSummaryTests {
    static let items = (1...6).map { TaskItem(id: "i\($0)", question: "Question \($0)?", answer: "\($0)") }

    /// An outcome of `system` on item i`index`.
    static func outcome(
        _ system: String, _ index: Int, correct: Bool, error: String? = nil, experts: [String] = [], samples: Int = 0,
        fallback: String? = nil, calls: Int = 1, tokens: Int = 100
    ) -> ItemOutcome {
        var outcome = ItemOutcome(
            system: system, item: "i\(index)", position: index - 1, answer: error == nil ? "The answer is \(index)." : "",
            extracted: error == nil ? (correct ? "\(index)" : "0") : nil, gold: "\(index)", correct: correct, error: error)
        outcome.experts = experts
        outcome.samplesUsed = samples
        outcome.samplesRequested = samples == 0 ? 0 : 6
        outcome.fallback = fallback
        outcome.calls = calls
        outcome.tokensIn = tokens
        outcome.tokensOut = tokens / 2
        outcome.wallMs = Double(index) * 1000
        return outcome
    }

    /// | item | self-moa | moe               | single:a | single:b |
    /// |------|----------|-------------------|----------|----------|
    /// | i1   | ✓ 6      | ✓ g, alg          | ✓        | ✓        |
    /// | i2   | ✓ 2      | ✓ g               | ✓        | ✓        |
    /// | i3   | ✗ 6      | ✗ g, alg, geo     | ✓        | error    |
    /// | i4   | ✓ 2      | ✓ g, alg          | ✗        | ✗        |
    /// | i5   | ✓ 2      | ✓ g, alg (fallbk) | ✗        | ✗        |
    /// | i6   | ✓ 6      | (not run)         | ✗        | ✗        |
    static let outcomes: [ItemOutcome] = {
        var list: [ItemOutcome] = []
        let selfMoA: [(Bool, Int)] = [(true, 6), (true, 2), (false, 6), (true, 2), (true, 2), (true, 6)]
        for (index, (correct, samples)) in selfMoA.enumerated() {
            list.append(outcome("self-moa", index + 1, correct: correct, samples: samples, calls: samples + 2))
        }
        let moe: [(Bool, [String])] = [(true, ["g", "alg"]), (true, ["g"]), (false, ["g", "alg", "geo"]), (true, ["g", "alg"]), (true, ["g", "alg"])]
        for (index, (correct, experts)) in moe.enumerated() {
            list.append(outcome("moe", index + 1, correct: correct, experts: experts, fallback: index == 4 ? "vote" : nil))
        }
        for index in 1...6 { list.append(outcome("single:a", index, correct: index <= 3)) }
        for index in 1...6 {
            list.append(index == 3
                ? outcome("single:b", 3, correct: false, error: "connection refused")
                : outcome("single:b", index, correct: index <= 2))
        }
        return list
    }()

    static let systems: [EvaluatedSystem] = [.ensemble(.selfMoA), .ensemble(.moe), .single("a"), .single("b")]

    static func summary() -> EvaluationSummary {
        EvaluationSummary(run: "eval-test", items: items, systems: systems, outcomes: outcomes.shuffled())
    }

    static func system(_ summary: EvaluationSummary, _ name: String) throws -> SystemSummary {
        try #require(summary.systems.first { $0.name == name })
    }

    @Test func accuracyCountsEveryItemAndErrorsAsWrong() throws {
        let summary = Self.summary()
        #expect(summary.systems.map(\.name) == ["self-moa", "moe", "single:a", "single:b"])
        #expect(summary.bestSingle == "single:a")

        let selfMoA = try Self.system(summary, "self-moa")
        #expect(selfMoA.items == 6)
        #expect(selfMoA.correct == 5)
        #expect(selfMoA.accuracy == 5.0 / 6)

        // An item never run counts as wrong over the whole item set.
        let moe = try Self.system(summary, "moe")
        #expect(moe.items == 5)
        #expect(moe.correct == 4)
        #expect(moe.accuracy == 4.0 / 6)
        #expect(moe.fallbacks == 1)

        // The errored item is kept, counted and wrong.
        let b = try Self.system(summary, "single:b")
        #expect(b.items == 6)
        #expect(b.errors == 1)
        #expect(b.correct == 2)
        #expect(b.accuracy == 2.0 / 6)
        #expect(try Self.system(summary, "single:a").errors == 0)
    }

    @Test func intervalsContainTheAccuracy() throws {
        for system in Self.summary().systems {
            #expect(system.interval.lower <= system.accuracy && system.accuracy <= system.interval.upper, "\(system.name)")
            #expect(system.interval.lower >= 0 && system.interval.upper <= 1)
            if let comparison = system.versusBest {
                #expect(comparison.interval.lower <= comparison.difference && comparison.difference <= comparison.interval.upper)
            }
        }
        // Deterministic: the bootstrap is seeded.
        #expect(Self.summary().systems.map(\.versusBest) == Self.summary().systems.map(\.versusBest))
    }

    /// At 0/n the accuracy interval must still say how little n items tell (Wilson: [0, 0.39] at 0/6), where a
    /// bootstrap would give the point [0, 0].
    @Test func aSystemWithNothingRightStillHasAWideInterval() throws {
        let wrong = Self.items.indices.map { Self.outcome("single:c", $0 + 1, correct: false) }
        let summary = EvaluationSummary(run: "eval-test", items: Self.items, systems: [.single("c")], outcomes: wrong)
        let interval = try Self.system(summary, "single:c").interval
        #expect(interval.lower == 0)
        #expect(abs(interval.upper - 0.390) < 0.001)
    }

    @Test func pairedComparisonAgainstTheBestSingle() throws {
        let summary = Self.summary()
        // self-moa vs single:a: wins i4, i5, i6 (3); losses i3 (1).
        // Exact McNemar: n = 4, k = 1: 2·(C(4,0) + C(4,1))/2^4 = 10/16 = 0.625.
        let selfMoA = try #require(try Self.system(summary, "self-moa").versusBest)
        #expect(selfMoA.baseline == "single:a")
        #expect(selfMoA.wins == 3)
        #expect(selfMoA.losses == 1)
        #expect(selfMoA.pValue == 0.625)
        #expect(abs(selfMoA.difference - 2.0 / 6) < 1e-12)

        // moe vs single:a: wins i4, i5; loss i3 → |2 − 1| ≤ 1 → p = 1.
        let moe = try #require(try Self.system(summary, "moe").versusBest)
        #expect(moe.wins == 2)
        #expect(moe.losses == 1)
        #expect(moe.pValue == 1)
        #expect(abs(moe.difference - 1.0 / 6) < 1e-12)

        // single:b vs single:a: loses i3 (its error).
        let b = try #require(try Self.system(summary, "single:b").versusBest)
        #expect(b.wins == 0)
        #expect(b.losses == 1)
        // The best single is not compared with itself.
        #expect(try Self.system(summary, "single:a").versusBest == nil)
    }

    @Test func routingSharesAndMeanKForMoE() throws {
        let moe = try Self.system(Self.summary(), "moe")
        // Experts over 5 items: g 5, alg 4, geo 1 → 10 answers.
        #expect(moe.routingShares.map(\.expert) == ["g", "alg", "geo"])
        #expect(moe.routingShares.map(\.share) == [0.5, 0.4, 0.1])
        #expect(moe.meanK == 2)  // (2 + 1 + 3 + 2 + 2) / 5
        #expect(moe.meanSamples == nil)
        #expect(try Self.system(Self.summary(), "self-moa").routingShares.isEmpty)
    }

    @Test func meanSamplesAndCostsPerItem() throws {
        let selfMoA = try Self.system(Self.summary(), "self-moa")
        #expect(selfMoA.meanSamples == 4)  // (6 + 2 + 6 + 2 + 2 + 6) / 6
        #expect(selfMoA.meanK == nil)
        #expect(selfMoA.callsPerItem == 6)  // samples + 2 aggregations each
        #expect(selfMoA.tokensPerItem == 150)
        #expect(selfMoA.wallP50 == 3.5)
        #expect(try Self.system(Self.summary(), "single:a").meanSamples == nil)
    }

    @Test func aTieForBestSingleGoesToTheFirstName() {
        let outcomes = (1...2).flatMap { index in
            [Self.outcome("single:zeta", index, correct: index == 1), Self.outcome("single:alpha", index, correct: index == 2)]
        }
        let items = Array(Self.items.prefix(2))
        let forward = EvaluationSummary(run: "r", items: items, systems: [.single("zeta"), .single("alpha")], outcomes: outcomes)
        let backward = EvaluationSummary(run: "r", items: items, systems: [.single("alpha"), .single("zeta")], outcomes: outcomes)
        #expect(forward.bestSingle == "single:alpha")
        #expect(backward.bestSingle == "single:alpha")
        #expect(EvaluationSummary(run: "r", items: items, systems: [.ensemble(.vote)], outcomes: []).bestSingle == nil)
    }

    @Test func theJSONDocumentHasEverySystemAndItem() throws {
        let json = Self.summary().json(config: ["seed": 1000])
        #expect(json["best_single"] == "single:a")
        #expect(json["items"] == 6)
        #expect(json["systems"]?.arrayValue?.count == 4)
        let rows = try #require(json["per_item"]?.arrayValue)
        #expect(rows.count == 6)
        #expect(rows[2]["single:b"]?["error"] == "connection refused")
        #expect(rows[5]["moe"]?["correct"] == false)
        #expect(rows[0]["gold"] == "1")
        #expect(json["systems"]?[1]?["routing_shares"]?["g"] == 0.5)
    }

    @Test func anOutcomeSurvivesItsStoredForm() throws {
        var outcome = Self.outcome("moe", 2, correct: true, experts: ["g", "alg"], samples: 4, fallback: "vote")
        outcome.cacheHits = 3
        outcome.rounds = 2
        #expect(ItemOutcome(json: outcome.json) == outcome)
        let failed = Self.outcome("single:b", 3, correct: false, error: "boom")
        #expect(ItemOutcome(json: failed.json) == failed)
        #expect(ItemOutcome(json: ["item": "i1"]) == nil)
    }

    @Test(arguments: [
        EvaluatedSystem.ensemble(.selfMoA), .ensemble(.moa), .ensemble(.moe), .ensemble(.vote), .single("qwen"),
        .single("llama:8b+lora:math"), .single("single:odd"),
    ])
    func systemNamesRoundTrip(system: EvaluatedSystem) {
        #expect(EvaluatedSystem(name: system.name) == system)
    }

    @Test func systemNames() {
        #expect(EvaluatedSystem.ensemble(.selfMoA).name == "self-moa")
        #expect(EvaluatedSystem.single("qwen").name == "single:qwen")
        #expect(EvaluatedSystem(name: "mixture") == nil)
        #expect(EvaluatedSystem.single("qwen").isSingle)
        #expect(!EvaluatedSystem.ensemble(.moe).isSingle)
    }
}
