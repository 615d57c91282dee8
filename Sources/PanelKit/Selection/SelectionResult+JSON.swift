import Foundation

extension SelectionResult {
    /// Why a candidate was or was not chosen, in a few words.
    public func verdict(_ id: String) -> String {
        if let items = droppedByHalving[id] { return "dropped by halving after \(items) items" }
        guard let ranking = outcome.rankings.first(where: { $0.id == id }) else { return "not evaluated" }
        let missingRP = ranking.perplexityRank == nil ? "; no perplexity rank" : ""
        if outcome.chosen.contains(id) {
            let subset = outcome.subsets.first
            let tail = subset.map { ", subset R_D=\(format($0.diversityRank))" } ?? ""
            return "chosen: R_P+R_A=\(format(ranking.combined))\(tail)\(missingRP)"
        }
        if !outcome.shortlist.contains(id) { return "outside the top \(outcome.shortlist.count) by R_P+R_A\(missingRP)" }
        return "a subset without it scored better\(missingRP)"
    }

    /// The rank of a candidate by R_P + R_A (1 is best), if it was ranked.
    public func rank(_ id: String) -> Int? {
        outcome.rankings.firstIndex { $0.id == id }.map { $0 + 1 }
    }

    /// One JSON object per evaluated candidate, in pool order.
    public var candidatesJSON: JSONValue {
        .array(evaluations.map { evaluation in
            let ranking = outcome.rankings.first { $0.id == evaluation.id }
            let interval = evaluation.accuracyInterval
            return [
                "id": .string(evaluation.id), "accuracy": .number(evaluation.accuracy),
                "accuracy_ci": [.number(interval.lower), .number(interval.upper)],
                "correct": .int(evaluation.correctCount), "items": .int(evaluation.records.count),
                "unparsable": .int(evaluation.unparsableCount), "errors": .int(evaluation.errorCount),
                "reasoning_ppl": .optional(evaluation.reasoningPerplexity),
                "reasoning_bpb": .optional(evaluation.reasoningBitsPerByte),
                "scoring": .string(evaluation.canScore ? (evaluation.scoringIsApproximate ? "approx" : "exact") : "none"),
                "mean_disagreement": .optional(diversity.meanDisagreement(of: evaluation.id)),
                "tokens_per_item": .number(evaluation.tokensPerItem),
                "seconds_per_item": .number(evaluation.secondsPerItem),
                "r_a": .optional(ranking?.accuracyRank), "r_p": .optional(ranking?.perplexityRank),
                "rank": .optional(rank(evaluation.id)), "chosen": .bool(outcome.chosen.contains(evaluation.id)),
                "why": .string(verdict(evaluation.id)),
            ]
        })
    }

    /// The result as the `--json` document of `panel select-experts`.
    public func json(out: String, strategy: SelectionOptions.Strategy) -> JSONValue {
        [
            "chosen": .strings(outcome.chosen), "mode": .string(decision.mode.rawValue),
            "reason": .string(decision.reason), "aggregator": .string(aggregator),
            "aggregator_trials": .array(aggregatorTrials.map {
                ["id": .string($0.id), "correct": .int($0.correct), "trials": .int($0.trials)]
            }),
            "perplexity_metric": .string(outcome.metric.rawValue), "candidates": candidatesJSON,
            "left_out": .array(leftOut.map { ["id": .string($0.id), "reason": .string($0.reason)] }),
            "strategy": .string(strategy.rawValue), "requests_used": .int(requestsUsed),
            "requests_exhaustive": .int(requestsExhaustive), "model_calls": .int(usage.calls),
            "cache_hits": .int(usage.cacheHits), "tokens_in": .int(usage.tokensIn), "tokens_out": .int(usage.tokensOut),
            "notes": .strings(notes), "out": .string(out),
        ]
    }

    private func format(_ x: Double) -> String {
        x.rounded() == x ? String(Int(x)) : String(format: "%.1f", x)
    }
}
