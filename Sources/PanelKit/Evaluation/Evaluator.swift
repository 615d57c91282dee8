import Foundation

/// `panel evaluate`: runs benchmark items through ensemble modes and single candidates, committing each
/// finished (system, item) to the store as it completes, so an interrupted run resumes without redoing
/// or duplicating anything.
public struct Evaluator: Sendable {
    /// What to evaluate.
    public struct Plan: Sendable {
        /// The ensemble file's path.
        public var ensemblePath: String
        /// The ensemble.
        public var spec: EnsembleSpec
        /// The benchmark file.
        public var bench: TaskFile
        /// The items evaluated (the first `limit` of the file).
        public var items: [TaskItem]
        /// Each item's answer type.
        public var types: TaskTypeResolution
        /// The systems, in report order.
        public var systems: [EvaluatedSystem]
        /// Mode settings.
        public var settings: EnsembleSpec.Settings
        /// Base seed of samples.
        public var seed: Int
        /// MoA layers.
        public var layers: Int
        /// Items in flight at once.
        public var concurrency: Int
        /// The longest one system may take on one item; past it the item is recorded as an error.
        /// Not part of `config`: resuming with another deadline continues the same run.
        public var itemTimeout: Duration?

        /// Creates a plan.
        public init(
            ensemblePath: String, spec: EnsembleSpec, bench: TaskFile, items: [TaskItem], types: TaskTypeResolution,
            systems: [EvaluatedSystem], settings: EnsembleSpec.Settings, seed: Int, layers: Int, concurrency: Int
        ) {
            self.ensemblePath = ensemblePath
            self.spec = spec
            self.bench = bench
            self.items = items
            self.types = types
            self.systems = systems
            self.settings = settings
            self.seed = seed
            self.layers = layers
            self.concurrency = concurrency
        }

        /// Everything that decides the results; a run with the same configuration resumes.
        public var config: JSONValue {
            [
                "ensemble": ["path": .string(ensemblePath), "sha256": .string(SHA256.hexDigest(spec.json.data(sortedKeys: true)))],
                "bench": ["path": .string(bench.path), "sha256": .string(SHA256.hexDigest(bench.data))],
                "items": .int(items.count), "systems": .strings(systems.map(\.name)),
                "settings": spec.settingsJSON(settings), "seed": .int(seed), "layers": .int(layers),
            ]
        }

        /// The fingerprint of `config`.
        public var configKey: String { SHA256.hexDigest(config.data(sortedKeys: true)) }
    }

    /// Progress of an evaluation.
    public enum Event: Sendable {
        /// The run began: its id, whether it resumed, items already done and the total.
        case started(run: String, resumed: Bool, done: Int, total: Int)
        /// One (system, item) finished.
        case finished(ItemOutcome)
    }

    /// Why an evaluation cannot run.
    public enum EvaluationError: Error, CustomStringConvertible, Equatable {
        case unknownRun(String)
        case runMismatch(String)

        public var description: String {
            switch self {
            case .unknownRun(let id): "no run '\(id)' in the store (see 'panel runs list')"
            case .runMismatch(let id):
                "run '\(id)' was started with another ensemble, bench or options; rerun with the same ones to resume it"
            }
        }
    }

    /// Creates an evaluator.
    public init() {}

    /// Runs (or resumes) the plan and returns the statistics.
    public func run(
        _ plan: Plan, session: PoolSession, store: Store, resume: String? = nil, fresh: Bool = false,
        onEvent: @escaping @Sendable (Event) -> Void = { _ in }
    ) async throws -> (summary: EvaluationSummary, config: JSONValue) {
        let (runID, resumed) = try await Self.openRun(plan, store: store, resume: resume, fresh: fresh)

        let committed = Set(try await store.runItems(runID).map { "\($0.system)\u{1}\($0.item)" })
        let pending = plan.items.enumerated().flatMap { position, item in
            plan.systems.map { (position, item, $0) }
        }.filter { !committed.contains("\($0.2.name)\u{1}\($0.1.id)") }
        onEvent(.started(
            run: runID, resumed: resumed, done: plan.items.count * plan.systems.count - pending.count,
            total: plan.items.count * plan.systems.count))

        let runner = try EnsembleRunner(
            spec: plan.spec, session: session, settings: plan.settings, seed: plan.seed, layers: plan.layers)
        let singles = Dictionary(uniqueKeysWithValues: plan.systems.compactMap { system -> (String, ModelClient)? in
            guard case .single(let id) = system, let client = session.client(id) else { return nil }
            return (id, client)
        })
        let recordRun = "eval:\(runID)"
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func launch() {
                let (position, item, system) = pending[next]
                next += 1
                group.addTask {
                    let outcome = try await Self.evaluate(
                        item, position: position, system: system, plan: plan, runner: runner, singles: singles,
                        run: recordRun)
                    try await store.saveRunItem(
                        run: runID, system: system.name, item: item.id, position: position, result: outcome.json)
                    onEvent(.finished(outcome))
                }
            }
            while next < min(max(1, plan.concurrency), pending.count) { launch() }
            while try await group.next() != nil {
                if next < pending.count { launch() }
            }
        }

        let outcomes = try await store.runItems(runID).compactMap { ItemOutcome(json: $0.result) }
        let summary = EvaluationSummary(run: runID, items: plan.items, systems: plan.systems, outcomes: outcomes)
        try await store.completeRun(runID, summary: .array(summary.systems.map(\.json)))
        return (summary, plan.config)
    }

    /// The run to continue (named, or the latest with the same configuration), or a new one.
    private static func openRun(_ plan: Plan, store: Store, resume: String?, fresh: Bool) async throws
        -> (id: String, resumed: Bool)
    {
        let key = plan.configKey
        if let resume {
            guard let existing = try await store.run(resume) else { throw EvaluationError.unknownRun(resume) }
            guard existing.configKey == key else { throw EvaluationError.runMismatch(resume) }
            return (existing.id, true)
        }
        if !fresh, let existing = try await store.latestRun(configKey: key) { return (existing.id, true) }
        let id = newRunID()
        try await store.createRun(id: id, kind: "evaluate", configKey: key, config: plan.config)
        return (id, false)
    }

    private static func evaluate(
        _ item: TaskItem, position: Int, system: EvaluatedSystem, plan: Plan, runner: EnsembleRunner,
        singles: [String: ModelClient], run: String
    ) async throws -> ItemOutcome {
        let scorer = Scorer(item: item, position: position, system: system, type: plan.types.type(of: item))
        let start = ContinuousClock.now
        var outcome: ItemOutcome
        do {
            let answer = { @Sendable in try await scorer.answer(runner: runner, singles: singles, run: run) }
            if let timeout = plan.itemTimeout {
                guard let answered = try await withDeadline(start + timeout, answer) else {
                    throw ItemDeadlineExceeded(seconds: timeout.inSeconds)
                }
                outcome = answered
            } else {
                outcome = try await answer()
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            outcome = scorer.failed(error)
        }
        outcome.wallMs = milliseconds(since: start)
        return outcome
    }

    /// One system's answer to one item, scored against the gold answer.
    private struct Scorer: Sendable {
        let item: TaskItem
        let position: Int
        let system: EvaluatedSystem
        let type: TaskType
        var extractor: AnswerExtractor { AnswerExtractor(type: type) }

        func answer(runner: EnsembleRunner, singles: [String: ModelClient], run: String) async throws -> ItemOutcome {
            switch system {
            case .ensemble(let mode):
                let answer = try await runner.answer(item, mode: mode, run: run)
                // The ensemble may have routed a mixed question to another type; score with the item's own.
                let extracted = answer.type == type ? answer.extracted : extractor.extract(from: answer.text, for: item)
                var outcome = scored(answer.text, extracted, usage: answer.totalUsage)
                outcome.experts = answer.experts
                outcome.samplesUsed = answer.samplesUsed
                outcome.samplesRequested = answer.samplesRequested
                outcome.rounds = answer.rounds.count
                outcome.fallback = answer.fallback
                outcome.failures = answer.failures
                return outcome
            case .single(let id):
                guard let client = singles[id] else { throw EnsembleRunner.RunnerError.missingExpert(id) }
                let result = try await runner.baseline(item, candidate: client, type: type, run: run)
                return scored(result.text, result.extracted, usage: result.usage)
            }
        }

        private func scored(_ text: String, _ extracted: ExtractedAnswer, usage: UsageLedger.Usage) -> ItemOutcome {
            var outcome = ItemOutcome(
                system: system.name, item: item.id, position: position, answer: text, extracted: extracted.text,
                gold: extractor.gold(item).text, correct: extractor.isCorrect(extracted, gold: item))
            outcome.calls = usage.calls
            outcome.cacheHits = usage.cacheHits
            outcome.tokensIn = usage.tokensIn
            outcome.tokensOut = usage.tokensOut
            return outcome
        }

        /// The item recorded as an error: no answer, counted wrong.
        func failed(_ error: any Error) -> ItemOutcome {
            ItemOutcome(
                system: system.name, item: item.id, position: position, answer: "", extracted: nil,
                gold: extractor.gold(item).text, correct: false, error: String(describing: error))
        }
    }

    /// One system took longer than `--item-timeout` on one item.
    struct ItemDeadlineExceeded: Error, CustomStringConvertible {
        let seconds: Double
        var description: String { "no answer within the item deadline of \(String(format: "%g", seconds)) s (--item-timeout)" }
    }

    private static func newRunID() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let suffix = String(UInt32.random(in: 0...0xFFFF), radix: 16)
        return "eval-\(formatter.string(from: Date()))-\(suffix)"
    }
}
