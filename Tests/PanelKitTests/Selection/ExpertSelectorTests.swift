import Foundation
import Synchronization
import Testing

@testable import PanelKit

/// `select-experts` end to end over fake candidates: scoring, the rule, the mode, the aggregator, the spec.
@Suite struct ExpertSelectorTests {
    let scratch = ScratchDirectory()

    /// Six K-shot items; the gold answer of item k is 10·k.
    static let questions = (1...6).map { "Item \($0): how many marbles are in \($0) bags of ten marbles each?" }
    static var kshotText: String {
        questions.enumerated().map { index, question in
            "{\"id\": \"k\(index + 1)\", \"question\": \"\(question)\", \"answer\": \"\((index + 1) * 10)\", \"rationale\": \"\(index + 1) bags of ten make \((index + 1) * 10).\"}"
        }.joined(separator: "\n")
    }

    /// Which K-shot item (1…6) a request is about.
    static func item(of request: GenerationRequest) -> Int? {
        questions.firstIndex { request.fullText.contains($0) }.map { $0 + 1 }
    }

    /// A candidate right on `right` (a wrong answer is gold + 1); as an aggregator it answers `aggregates`
    /// ("gold", "wrong" or anything else for unparsable).
    static func candidate(right: Set<Int>, aggregates: String, logprob: Double) -> RuleBackend {
        RuleBackend(logprobs: [logprob]) { request, _ in
            guard let item = item(of: request) else { return "Which question?" }
            if request.isAggregation {
                switch aggregates {
                case "gold": return "Having weighed the responses: \(item * 10). The answer is \(item * 10)."
                case "wrong": return "Having weighed the responses: \(item * 10 + 1). The answer is \(item * 10 + 1)."
                default: return "These responses are all interesting."
                }
            }
            let answer = right.contains(item) ? item * 10 : item * 10 + 1
            return "Bags times marbles per bag: \(answer). The answer is \(answer)."
        }
    }

    struct Setup {
        /// strong: right on k1…k4 (4/6), a poor aggregator · mid: k1, k5, k6 (3/6), a good aggregator ·
        /// weak: k1 (1/6), cannot aggregate. Reference log-probabilities rank them the same way.
        let strong = ExpertSelectorTests.candidate(right: [1, 2, 3, 4], aggregates: "wrong", logprob: -0.5)
        let mid = ExpertSelectorTests.candidate(right: [1, 5, 6], aggregates: "gold", logprob: -1)
        let weak = ExpertSelectorTests.candidate(right: [1], aggregates: "none", logprob: -2)
        let store: Store
        let session: PoolSession
        let kshot: TaskFile

        init(scratch: ScratchDirectory) throws {
            store = try Store(path: scratch.url.appendingPathComponent("panel.sqlite").path)
            session = Fakes.session(
                [.init(id: "strong", backend: strong), .init(id: "mid", backend: mid), .init(id: "weak", backend: weak)],
                store: store)
            kshot = try TaskFile.load(path: try scratch.write(Array(ExpertSelectorTests.kshotText.utf8), named: "kshot.jsonl"))
        }

        var generations: Int { strong.calls + mid.calls + weak.calls }
        var scores: Int { strong.scores.count + mid.scores.count + weak.scores.count }

        func select(_ options: SelectionOptions = SelectionOptions()) async throws -> (SelectionResult, [ExpertSelector.Event]) {
            let events = Collector<ExpertSelector.Event>()
            let result = try await ExpertSelector(options: options).select(
                session: session, kshot: kshot, types: TaskTypeResolution(uniform: .number), task: "marbles",
                onEvent: { events.append($0) })
            return (result, events.values)
        }
    }

    @Test func exhaustiveSelectionBuildsTheEnsemble() async throws {
        let setup = try Setup(scratch: scratch)
        let (result, events) = try await setup.select()

        #expect(result.evaluations.map(\.id) == ["strong", "mid", "weak"])
        #expect(result.evaluations.map(\.correctCount) == [4, 3, 1])
        #expect(result.evaluations.allSatisfy { $0.records.count == 6 && $0.canScore })
        #expect(result.requestsUsed == 36)  // 3 candidates × 6 items × (generation + scoring)
        #expect(result.requestsExhaustive == 36)
        #expect(setup.scores == 18)
        // Every (candidate, item) step was planned and reported.
        let finished = events.filter { if case .finished = $0 { true } else { false } }
        #expect(finished.count == 18)
        let planned = events.reduce(0) { sum, event in if case .planned(let n) = event { sum + n } else { sum } }
        #expect(planned == 18)

        // Three candidates → N = 2 of M = 3. Different served models → bits per byte.
        #expect(result.outcome.metric == .bitsPerByte)
        #expect(result.outcome.rankings.map(\.id) == ["strong", "mid", "weak"])
        #expect(result.outcome.rankings.map(\.combined) == [2, 4, 6])
        // {strong, mid}: rank sum 6 + R_D ≤ 9; {strong, weak} 8 + R_D ≥ 9 (ties broken by mean accuracy).
        #expect(result.outcome.chosen == ["strong", "mid"])

        // strong 4 vs mid 3: discordant 3 vs 2, p = 1; mid is right on k5, k6 where strong is wrong → MoE.
        #expect(result.decision.mode == .moe)
        #expect(result.decision.best == "strong")
        #expect(result.decision.complementaryItems == 2)

        // The aggregator is chosen by how it fuses, not by how it answers: mid, not strong.
        #expect(result.aggregatorTrials.first?.id == "mid")
        #expect(result.aggregatorTrials.first?.correct == 4)
        #expect(result.aggregatorTrials.first?.trials == 4)
        #expect(result.aggregatorTrials.map(\.correct).sorted() == [0, 0, 4])
        #expect(result.aggregator == "mid")

        let spec = result.spec
        #expect(spec.mode == .moe)
        #expect(spec.experts.map(\.id) == ["strong", "mid"])
        #expect(spec.experts[0].roles == [.proposer, .shared])
        #expect(spec.experts[1].roles == [.proposer, .aggregator])
        let accuracies: [Double] = [4.0 / 6, 3.0 / 6]
        #expect(spec.experts.map(\.accuracy) == accuracies)
        #expect(spec.aggregator == "mid")
        #expect(spec.taskType == .number)
        #expect(spec.demonstrations.map(\.id) == ["k1", "k2", "k3", "k4", "k5", "k6"])
        #expect(spec.router.items.count == 6)
        #expect(spec.router.items[4].correct == ["strong": false, "mid": true, "weak": false])
        #expect(spec.router.items.allSatisfy { abs(VectorMath.norm($0.vector) - 1) < 1e-5 })

        // The spec is a valid ensemble file.
        let path = try scratch.write(Array(spec.json.data(pretty: true)), named: "marbles.json")
        let loaded = try EnsembleSpec.load(path: path)
        #expect(loaded.experts == spec.experts)
        #expect(loaded.mode == .moe)

        // The router it wrote finds k5 itself as the nearest item to k5's question.
        let routed = try await EnsembleRunner(spec: loaded, session: setup.session)
            .answer(TaskItem(id: "q", question: Self.questions[4], answer: "50"), mode: .moe)
        #expect(routed.routing?.nearest.first?.id == "k5")
        #expect(abs((routed.routing?.nearest.first?.similarity ?? 0) - 1) < 1e-5)
    }

    @Test func aSecondSelectionIsServedFromTheStore() async throws {
        let setup = try Setup(scratch: scratch)
        let (first, _) = try await setup.select()
        let (generations, scores) = (setup.generations, setup.scores)
        let (second, _) = try await setup.select()
        #expect(setup.generations == generations)
        #expect(setup.scores == scores)
        #expect(second.outcome == first.outcome)
        #expect(second.aggregator == first.aggregator)
        // The session's ledger counts both selections: the second added only cache hits.
        #expect(second.usage.calls == first.usage.calls)
        #expect(second.usage.cacheHits > first.usage.cacheHits)
    }

    @Test func successiveHalvingDropsTheWorstEarly() async throws {
        let setup = try Setup(scratch: scratch)
        let (result, _) = try await setup.select(SelectionOptions(strategy: .halving))
        // Round 1: all three on k1, k2 → weak (1 of 2, worst ranks) dropped; then strong and mid on k3…k6.
        #expect(result.droppedByHalving == ["weak": 2])
        #expect(result.evaluation("weak")?.records.count == 2)
        #expect(result.evaluation("strong")?.records.count == 6)
        #expect(result.requestsUsed == 3 * 2 * 2 + 2 * 4 * 2)
        #expect(result.requestsExhaustive == 36)
        #expect(result.requestsUsed < result.requestsExhaustive)
        #expect(setup.weak.sampleRequests.count == 2)
        #expect(setup.weak.aggregationRequests.isEmpty)  // not a finalist, so not tried as aggregator
        #expect(result.diversity.ids == ["strong", "mid"])
        #expect(result.outcome.chosen == ["strong", "mid"])
    }
}
