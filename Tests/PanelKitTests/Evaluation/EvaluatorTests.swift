import Foundation
import Synchronization
import Testing

@testable import PanelKit

/// `panel evaluate` over fake models and a temporary store: commits, cancellation and resumption.
@Suite struct EvaluatorTests {
    let scratch = ScratchDirectory()

    static let benchText = """
        {"id": "e1", "question": "Tom has 3 apples and buys 4 more. How many apples does he have?", "answer": "7"}
        {"id": "e2", "question": "A box holds 6 eggs. How many eggs are in 3 boxes?", "answer": "18"}
        {"id": "e3", "question": "Sara reads 5 pages a day for 4 days. How many pages does she read?", "answer": "20"}
        {"id": "e4", "question": "A train travels 60 miles an hour for 2 hours. How far does it go?", "answer": "120"}
        """

    /// Holds the evaluation task so an event handler can cancel it.
    final class TaskBox: Sendable {
        private let task = Mutex<Task<(summary: EvaluationSummary, config: JSONValue), any Error>?>(nil)
        func set(_ value: Task<(summary: EvaluationSummary, config: JSONValue), any Error>) { task.withLock { $0 = value } }
        func cancel() { task.withLock { $0?.cancel() } }
    }

    /// What one run reported.
    final class Events: Sendable {
        let started = Collector<(run: String, resumed: Bool, done: Int, total: Int)>()
        let finished = Collector<ItemOutcome>()
    }

    struct Setup {
        let best: RuleBackend
        let judge: RuleBackend
        let session: PoolSession
        let store: Store
        let plan: Evaluator.Plan

        init(scratch: ScratchDirectory) throws {
            // "best" answers 18 whatever it is asked (right on e2 only); the judge says 20 (right on e3 only).
            best = RuleBackend { request, _ in "My working for seed \(request.sampling.seed ?? -1) gives 18. The answer is 18." }
            judge = RuleBackend { _, _ in "Weighing the responses, 20. The answer is 20." }
            store = try Store(path: scratch.url.appendingPathComponent("panel.sqlite").path)
            session = Fakes.session([.init(id: "best", backend: best), .init(id: "judge", backend: judge)], store: store)
            var settings = EnsembleSpec.Settings()
            settings.samples = 3
            settings.window = 3
            let spec = Fakes.spec(
                experts: [
                    EnsembleSpec.Expert(id: "best", roles: [.proposer, .shared], accuracy: 0.8),
                    EnsembleSpec.Expert(id: "judge", roles: [.aggregator], accuracy: 0.5),
                ],
                aggregator: "judge", settings: settings)
            let benchPath = try scratch.write(Array(EvaluatorTests.benchText.utf8), named: "bench.jsonl")
            let bench = try TaskFile.load(path: benchPath)
            plan = Evaluator.Plan(
                ensemblePath: "ensembles/fake.json", spec: spec, bench: bench, items: bench.items,
                types: TaskTypeResolution(uniform: .number), systems: [.ensemble(.selfMoA), .single("best")],
                settings: settings, seed: 1000, layers: 1, concurrency: 1)
        }

        /// Runs the plan; with `cancelAfter`, cancels the run once that many items have finished.
        func run(cancelAfter: Int? = nil, fresh: Bool = false, resume: String? = nil) async
            -> (result: Result<(summary: EvaluationSummary, config: JSONValue), any Error>, events: Events)
        {
            let events = Events()
            let box = TaskBox()
            let gate = Gate()
            let (plan, session, store) = (self.plan, self.session, self.store)
            let task = Task {
                await gate.wait()
                return try await Evaluator().run(plan, session: session, store: store, resume: resume, fresh: fresh) { event in
                    switch event {
                    case .started(let run, let resumed, let done, let total):
                        events.started.append((run, resumed, done, total))
                    case .finished(let outcome):
                        events.finished.append(outcome)
                        if let cancelAfter, events.finished.values.count == cancelAfter { box.cancel() }
                    }
                }
            }
            box.set(task)
            gate.open()
            return (await task.result, events)
        }

        /// Backend requests that mention an item's question.
        func requests(about item: TaskItem, in requests: [GenerationRequest]) -> Int {
            requests.filter { $0.fullText.contains(item.question) }.count
        }
    }

    @Test func aCancelledRunResumesWithoutRedoingOrDuplicatingItems() async throws {
        let setup = try Setup(scratch: scratch)
        let items = setup.plan.items

        // First run: cancelled after three (system, item) results were committed.
        let (first, firstEvents) = await setup.run(cancelAfter: 3)
        #expect(throws: CancellationError.self) { try first.get() }
        let start = try #require(firstEvents.started.values.first)
        #expect(start.resumed == false)
        #expect(start.done == 0)
        #expect(start.total == 8)
        let committed = try await setup.store.runItems(start.run)
        #expect(committed.count == 3)
        let committedKeys = Set(committed.map { "\($0.system)|\($0.item)" })
        #expect(committedKeys == ["self-moa|e1", "single:best|e1", "self-moa|e2"])
        let bestBefore = setup.best.requests.count
        let judgeBefore = setup.judge.requests.count

        // Second run, same plan: the same run resumes and does only what is missing.
        let (second, secondEvents) = await setup.run()
        let summary = try second.get().summary
        let restart = try #require(secondEvents.started.values.first)
        #expect(restart.run == start.run)
        #expect(restart.resumed == true)
        #expect(restart.done == 3)
        #expect(restart.total == 8)
        #expect(secondEvents.finished.values.count == 5)
        #expect(!secondEvents.finished.values.contains { committedKeys.contains("\($0.system)|\($0.item)") })

        // Every (system, item) exactly once.
        let all = try await setup.store.runItems(start.run)
        #expect(all.count == 8)
        #expect(Set(all.map { "\($0.system)|\($0.item)" }).count == 8)

        // The models were not asked again about fully committed items.
        let newBest = Array(setup.best.requests[bestBefore...])
        let newJudge = Array(setup.judge.requests[judgeBefore...])
        #expect(setup.requests(about: items[0], in: newBest + newJudge) == 0)
        #expect(setup.requests(about: items[2], in: newBest) > 0)
        // e2's self-moa was committed: none of its three samples or its aggregation was repeated;
        // only its single baseline (greedy, one request) was asked.
        #expect(setup.requests(about: items[1], in: newJudge) == 0)
        #expect(newBest.filter { $0.fullText.contains(items[1].question) }.map(\.sampling.temperature) == [0])

        // The summary covers everything: self-moa (judge: 20) is right on e3, single:best (18) on e2.
        #expect(summary.run == start.run)
        #expect(summary.systems.map(\.items) == [4, 4])
        #expect(summary.systems.map(\.correct) == [1, 1])
        #expect(try await setup.store.run(start.run)?.status == "complete")
    }

    @Test func aFinishedRunIsResumedWithNothingToDo() async throws {
        let setup = try Setup(scratch: scratch)
        let (first, _) = await setup.run()
        let id = try first.get().summary.run
        let calls = setup.best.calls + setup.judge.calls
        #expect(calls == 4 * 3 + 4 + 4)  // 3 samples + 1 baseline per item; 1 aggregation per item

        let (again, events) = await setup.run()
        #expect(try again.get().summary.run == id)
        #expect(events.started.values.first?.done == 8)
        #expect(events.finished.values.isEmpty)
        #expect(setup.best.calls + setup.judge.calls == calls)
    }

    @Test func freshStartsANewRunServedFromTheCache() async throws {
        let setup = try Setup(scratch: scratch)
        let first = try await setup.run().result.get().summary
        let calls = setup.best.calls + setup.judge.calls
        let (fresh, events) = await setup.run(fresh: true)
        let summary = try fresh.get().summary
        #expect(summary.run != first.run)
        #expect(events.started.values.first?.resumed == false)
        #expect(events.finished.values.count == 8)
        // Seeded samples and greedy calls are deterministic: all served from the store.
        #expect(setup.best.calls + setup.judge.calls == calls)
        #expect(events.finished.values.allSatisfy { $0.calls == 0 && $0.cacheHits > 0 })
        #expect(summary.systems.map(\.correct) == first.systems.map(\.correct))
    }

    @Test func resumingAnUnknownOrMismatchedRunIsRefused() async throws {
        let setup = try Setup(scratch: scratch)
        let (unknown, _) = await setup.run(resume: "eval-nope")
        #expect(throws: Evaluator.EvaluationError.unknownRun("eval-nope")) { try unknown.get() }

        try await setup.store.createRun(id: "eval-other", kind: "evaluate", configKey: "other", config: [:])
        let (mismatch, _) = await setup.run(resume: "eval-other")
        #expect(throws: Evaluator.EvaluationError.runMismatch("eval-other")) { try mismatch.get() }
        #expect(setup.best.calls == 0)
    }

    @Test func aSystemPastTheItemDeadlineIsRecordedAsAnErrorAndTheOthersGoOn() async throws {
        let slow = ScriptedBackend([.hang])
        let best = RuleBackend { _, _ in "The answer is 18." }
        let store = try Store(path: scratch.url.appendingPathComponent("deadline.sqlite").path)
        let session = Fakes.session([.init(id: "best", backend: best), .init(id: "slow", backend: slow)], store: store)
        var plan = try Setup(scratch: scratch).plan
        plan.spec = Fakes.spec(experts: [EnsembleSpec.Expert(id: "best", roles: [.proposer, .shared, .aggregator], accuracy: 0.8)], aggregator: "best")
        plan.systems = [.single("best"), .single("slow")]
        // Long enough for the fake to answer on a loaded machine; all eight pairs run at once.
        plan.itemTimeout = .seconds(10)
        plan.concurrency = 8
        let result = try await Evaluator().run(plan, session: session, store: store)
        let outcomes = result.summary.outcomes["single:slow"] ?? [:]
        #expect(outcomes.count == 4)
        for outcome in outcomes.values {
            #expect(outcome.error == "no answer within the item deadline of 10 s (--item-timeout)")
            #expect(outcome.answer.isEmpty)
        }
        let bestErrors = result.summary.outcomes["single:best"]?.values.compactMap(\.error) ?? ["no outcomes"]
        #expect(bestErrors.isEmpty, "\(bestErrors)")
    }

    @Test func aFailingSystemIsRecordedAsAnErrorNotDropped() async throws {
        let setup = try Setup(scratch: scratch)
        var plan = setup.plan
        plan.systems = [.single("best"), .single("ghost")]
        let result = try await Evaluator().run(plan, session: setup.session, store: setup.store)
        let ghost = try #require(result.summary.systems.first { $0.name == "single:ghost" })
        #expect(ghost.items == 4)
        #expect(ghost.errors == 4)
        #expect(ghost.accuracy == 0)
        #expect(result.summary.outcomes["single:ghost"]?["e1"]?.error?.contains("ghost") == true)
    }
}
