/// How tokens are chosen for one generation.
public struct Sampling: Sendable, Hashable {
    /// Softmax temperature; 0 is greedy.
    public var temperature: Double
    /// Nucleus sampling threshold.
    public var topP: Double?
    /// Top-k sampling.
    public var topK: Int?
    /// The most tokens to generate.
    public var maxTokens: Int
    /// The random seed, for reproducible samples.
    public var seed: Int?
    /// Strings that end the generation.
    public var stop: [String]

    /// Creates sampling settings.
    public init(
        temperature: Double, topP: Double? = nil, topK: Int? = nil, maxTokens: Int, seed: Int? = nil,
        stop: [String] = []
    ) {
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.maxTokens = maxTokens
        self.seed = seed
        self.stop = stop
    }

    /// Greedy decoding, the setting for measuring a candidate.
    public static func greedy(maxTokens: Int, stop: [String] = []) -> Sampling {
        Sampling(temperature: 0, maxTokens: maxTokens, stop: stop)
    }

    /// Whether the same request always gives the same answer, which makes it safe to serve from the cache.
    public var isDeterministic: Bool { temperature == 0 || seed != nil }

    /// The settings as stable JSON, for fingerprints and the store.
    public var json: JSONValue {
        var object = JSONObject()
        object["temperature"] = .number(temperature)
        object["top_p"] = .optional(topP)
        object["top_k"] = .optional(topK)
        object["max_tokens"] = .int(maxTokens)
        object["seed"] = .optional(seed)
        object["stop"] = .strings(stop)
        return .object(object)
    }
}
