/// The statistics of an evaluation: one summary per system, plus the per-item table.
public struct EvaluationSummary: Sendable {
    /// The run's id.
    public var run: String
    /// Items in the evaluation.
    public var items: [TaskItem]
    /// Systems in the order they were requested.
    public var systems: [SystemSummary]
    /// Every outcome by system name and item id.
    public var outcomes: [String: [String: ItemOutcome]]
    /// The best single candidate (highest accuracy among the baselines), if baselines ran.
    public var bestSingle: String?

    /// Computes the statistics from committed outcomes.
    public init(run: String, items: [TaskItem], systems: [EvaluatedSystem], outcomes list: [ItemOutcome]) {
        self.run = run
        self.items = items
        var byName: [String: [String: ItemOutcome]] = [:]
        for outcome in list { byName[outcome.system, default: [:]][outcome.item] = outcome }
        outcomes = byName
        let ids = items.map(\.id)
        func results(_ name: String) -> [Bool] { ids.map { byName[name]?[$0]?.correct ?? false } }

        let singles = systems.filter(\.isSingle).map(\.name)
        let best = singles.max { a, b in
            let (ca, cb) = (results(a).filter { $0 }.count, results(b).filter { $0 }.count)
            return ca != cb ? ca < cb : a > b
        }
        bestSingle = best
        let bootstrap = Bootstrap()
        self.systems = systems.map { system in
            let name = system.name
            let done = ids.compactMap { byName[name]?[$0] }
            let outcomes = results(name)
            let n = Double(max(done.count, 1))
            var comparison: SystemSummary.PairedComparison?
            if let best, best != name {
                let baseline = results(best)
                let test = McNemar.test(outcomes, baseline)
                comparison = SystemSummary.PairedComparison(
                    baseline: best,
                    difference: Double(outcomes.filter { $0 }.count - baseline.filter { $0 }.count) / Double(max(ids.count, 1)),
                    interval: bootstrap.pairedDifferenceInterval(outcomes, baseline), pValue: test.pValue,
                    wins: test.firstOnly, losses: test.secondOnly)
            }
            var shares: [(String, Double)] = []
            var meanK: Double?
            var meanSamples: Double?
            if system == .ensemble(.moe) {
                var counts: [String: Int] = [:]
                for outcome in done { for expert in outcome.experts { counts[expert, default: 0] += 1 } }
                let total = Double(max(counts.values.reduce(0, +), 1))
                shares = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                    .map { ($0.key, Double($0.value) / total) }
                let answered = done.filter { $0.error == nil }
                meanK = answered.isEmpty ? nil : Double(answered.map(\.experts.count).reduce(0, +)) / Double(answered.count)
            }
            if system == .ensemble(.selfMoA) || system == .ensemble(.vote) {
                let answered = done.filter { $0.error == nil }
                meanSamples = answered.isEmpty ? nil : Double(answered.map(\.samplesUsed).reduce(0, +)) / Double(answered.count)
            }
            let walls = Percentiles(done.map { $0.wallMs / 1000 })
            return SystemSummary(
                name: name, items: done.count, correct: outcomes.filter { $0 }.count,
                accuracy: Double(outcomes.filter { $0 }.count) / Double(max(ids.count, 1)),
                interval: Proportion(outcomes: outcomes).wilsonInterval(), errors: done.filter { $0.error != nil }.count,
                callsPerItem: Double(done.map { $0.calls + $0.cacheHits }.reduce(0, +)) / n,
                cacheHitsPerItem: Double(done.map(\.cacheHits).reduce(0, +)) / n,
                tokensInPerItem: Double(done.map(\.tokensIn).reduce(0, +)) / n,
                tokensOutPerItem: Double(done.map(\.tokensOut).reduce(0, +)) / n,
                wallP50: walls?.p50 ?? 0, wallP95: walls?.p95 ?? 0, versusBest: comparison, routingShares: shares,
                meanK: meanK, meanSamples: meanSamples, fallbacks: done.filter { $0.fallback != nil }.count)
        }
    }

    /// The summary as the `--json` document of `panel evaluate`.
    public func json(config: JSONValue) -> JSONValue {
        [
            "run": .string(run), "items": .int(items.count), "best_single": .optional(bestSingle),
            "systems": .array(systems.map(\.json)), "config": config,
            "per_item": .array(items.map { item in
                var row: JSONObject = ["id": .string(item.id)]
                for system in systems {
                    let outcome = outcomes[system.name]?[item.id]
                    row[system.name] = [
                        "extracted": .optional(outcome?.extracted), "correct": .bool(outcome?.correct ?? false),
                        "error": .optional(outcome?.error),
                    ]
                }
                row["gold"] = .optional(outcomes.values.lazy.compactMap { $0[item.id]?.gold }.first)
                return .object(row)
            }),
        ]
    }
}
