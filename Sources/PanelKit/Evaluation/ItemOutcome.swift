/// One system's result on one benchmark item, as committed to the store.
public struct ItemOutcome: Sendable, Equatable {
    /// The system.
    public var system: String
    /// The item.
    public var item: String
    /// The item's position in the benchmark file.
    public var position: Int
    /// The answer text (cut to a few thousand characters).
    public var answer: String
    /// The extracted answer.
    public var extracted: String?
    /// The gold answer in normal form.
    public var gold: String?
    /// Whether the extracted answer is correct.
    public var correct: Bool
    /// Why the system failed on the item, if it did.
    public var error: String?
    /// Model calls sent.
    public var calls: Int = 0
    /// Calls served from the cache.
    public var cacheHits: Int = 0
    /// Prompt tokens.
    public var tokensIn: Int = 0
    /// Generated tokens.
    public var tokensOut: Int = 0
    /// Wall time for the item, in milliseconds.
    public var wallMs: Double = 0
    /// Experts that answered (MoE), in order; their count is the k used.
    public var experts: [String] = []
    /// Self-MoA samples used and requested.
    public var samplesUsed: Int = 0
    /// Samples requested.
    public var samplesRequested: Int = 0
    /// Fusion rounds.
    public var rounds: Int = 0
    /// The fallback taken, if any.
    public var fallback: String?
    /// Calls that failed while the others answered (dropped experts or samples).
    public var failures: [String] = []

    /// Creates an outcome.
    public init(
        system: String, item: String, position: Int, answer: String, extracted: String?, gold: String?, correct: Bool,
        error: String? = nil
    ) {
        self.system = system
        self.item = item
        self.position = position
        self.answer = answer
        self.extracted = extracted
        self.gold = gold
        self.correct = correct
        self.error = error
    }

    /// The outcome as stored JSON.
    public var json: JSONValue {
        [
            "system": .string(system), "item": .string(item), "position": .int(position),
            "answer": .string(String(answer.prefix(4000))), "extracted": .optional(extracted), "gold": .optional(gold),
            "correct": .bool(correct), "error": .optional(error), "calls": .int(calls), "cache_hits": .int(cacheHits),
            "tokens_in": .int(tokensIn), "tokens_out": .int(tokensOut), "wall_ms": .number(wallMs),
            "experts": .strings(experts), "samples_used": .int(samplesUsed), "samples_requested": .int(samplesRequested),
            "rounds": .int(rounds), "fallback": .optional(fallback), "failures": .strings(failures),
        ]
    }

    /// Reads a stored outcome.
    public init?(json: JSONValue) {
        guard let system = json["system"]?.stringValue, let item = json["item"]?.stringValue else { return nil }
        self.init(
            system: system, item: item, position: json["position"]?.intValue ?? 0,
            answer: json["answer"]?.stringValue ?? "", extracted: json["extracted"]?.stringValue,
            gold: json["gold"]?.stringValue, correct: json["correct"]?.boolValue ?? false, error: json["error"]?.stringValue)
        calls = json["calls"]?.intValue ?? 0
        cacheHits = json["cache_hits"]?.intValue ?? 0
        tokensIn = json["tokens_in"]?.intValue ?? 0
        tokensOut = json["tokens_out"]?.intValue ?? 0
        wallMs = json["wall_ms"]?.doubleValue ?? 0
        experts = json["experts"]?.arrayValue?.compactMap(\.stringValue) ?? []
        samplesUsed = json["samples_used"]?.intValue ?? 0
        samplesRequested = json["samples_requested"]?.intValue ?? 0
        rounds = json["rounds"]?.intValue ?? 0
        fallback = json["fallback"]?.stringValue
        failures = json["failures"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}
