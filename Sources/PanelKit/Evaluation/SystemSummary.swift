/// The statistics of one system over an evaluation's items.
public struct SystemSummary: Sendable, Equatable {
    /// The system's name.
    public var name: String
    /// Items with a result.
    public var items: Int
    /// Items answered correctly.
    public var correct: Int
    /// Accuracy over all items (errors count as wrong).
    public var accuracy: Double
    /// Wilson score 95% interval of the accuracy (items not run count as wrong, as in `accuracy`).
    public var interval: Interval
    /// Items that failed with an error.
    public var errors: Int
    /// Model requests per item (sent plus served from the cache: the cost of a fresh run).
    public var callsPerItem: Double
    /// Of those, the share served from the cache in this run.
    public var cacheHitsPerItem: Double
    /// Prompt tokens per item.
    public var tokensInPerItem: Double
    /// Generated tokens per item.
    public var tokensOutPerItem: Double
    /// Median wall time per item, in seconds.
    public var wallP50: Double
    /// 95th-percentile wall time per item, in seconds.
    public var wallP95: Double
    /// The paired comparison with the best single candidate, when there is one and it is another system.
    public var versusBest: PairedComparison?
    /// MoE: each expert's share of the answers given.
    public var routingShares: [(expert: String, share: Double)]
    /// MoE: the mean number of experts used per item.
    public var meanK: Double?
    /// Self-MoA: the mean number of samples used per item.
    public var meanSamples: Double?
    /// Items where the answer came from a fallback.
    public var fallbacks: Int

    /// Tokens per item, in and out.
    public var tokensPerItem: Double { tokensInPerItem + tokensOutPerItem }

    public static func == (a: SystemSummary, b: SystemSummary) -> Bool {
        a.name == b.name && a.items == b.items && a.correct == b.correct && a.errors == b.errors
    }

    /// A paired comparison of two systems on the same items.
    public struct PairedComparison: Sendable, Equatable {
        /// The system compared against.
        public var baseline: String
        /// Accuracy difference (this minus baseline).
        public var difference: Double
        /// Paired bootstrap 95% interval of the difference.
        public var interval: Interval
        /// Exact McNemar p-value.
        public var pValue: Double
        /// Items only this system got right.
        public var wins: Int
        /// Items only the baseline got right.
        public var losses: Int
    }

    /// The summary as JSON.
    public var json: JSONValue {
        var object: JSONObject = [
            "name": .string(name), "items": .int(items), "correct": .int(correct), "accuracy": .number(accuracy),
            "ci": [.number(interval.lower), .number(interval.upper)], "errors": .int(errors),
            "calls_per_item": .number(callsPerItem), "cache_hits_per_item": .number(cacheHitsPerItem),
            "tokens_per_item": .number(tokensPerItem), "tokens_in_per_item": .number(tokensInPerItem),
            "tokens_out_per_item": .number(tokensOutPerItem), "wall_p50_s": .number(wallP50), "wall_p95_s": .number(wallP95),
            "fallbacks": .int(fallbacks),
        ]
        if let versusBest {
            object["vs_best_single"] = [
                "baseline": .string(versusBest.baseline), "difference": .number(versusBest.difference),
                "ci": [.number(versusBest.interval.lower), .number(versusBest.interval.upper)],
                "mcnemar_p": .number(versusBest.pValue), "wins": .int(versusBest.wins), "losses": .int(versusBest.losses),
            ]
        }
        if !routingShares.isEmpty {
            object["routing_shares"] = .object(JSONObject(routingShares.map { ($0.expert, .number($0.share)) }))
        }
        object["mean_k"] = .optional(meanK)
        object["mean_samples"] = .optional(meanSamples)
        return .object(object)
    }
}
