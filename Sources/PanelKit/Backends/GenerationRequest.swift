/// One independent, stateless request for a generation.
public struct GenerationRequest: Sendable, Hashable {
    /// What the model is asked.
    public var prompt: Prompt
    /// How tokens are chosen.
    public var sampling: Sampling
    /// How many top alternatives to return with each generated token's log-probability; `nil` for none.
    public var topLogprobs: Int?

    /// Creates a request.
    public init(prompt: Prompt, sampling: Sampling, topLogprobs: Int? = nil) {
        self.prompt = prompt
        self.sampling = sampling
        self.topLogprobs = topLogprobs
    }

    /// The request as stable JSON, for fingerprints and the store.
    public var json: JSONValue {
        ["prompt": prompt.json, "sampling": sampling.json, "top_logprobs": .optional(topLogprobs)]
    }
}

/// What a model generated.
public struct Generation: Sendable, Hashable {
    /// The generated text.
    public var text: String
    /// Prompt tokens, as reported by the server.
    public var tokensIn: Int
    /// Generated tokens, as reported by the server.
    public var tokensOut: Int
    /// Why generation stopped ("stop", "length", …), as reported.
    public var finishReason: String?
    /// Log-probabilities of the generated tokens, when requested and supported.
    public var tokenLogprobs: [Double]?
    /// Wall time of the call that produced it, in milliseconds (kept when served from the cache).
    public var latencyMs: Double = 0

    /// Creates a generation.
    public init(
        text: String, tokensIn: Int = 0, tokensOut: Int = 0, finishReason: String? = nil,
        tokenLogprobs: [Double]? = nil
    ) {
        self.text = text
        self.tokensIn = tokensIn
        self.tokensOut = tokensOut
        self.finishReason = finishReason
        self.tokenLogprobs = tokenLogprobs
    }

    /// The generation as JSON, for the store and cache.
    public var json: JSONValue {
        [
            "text": .string(text), "tokens_in": .int(tokensIn), "tokens_out": .int(tokensOut),
            "finish_reason": .optional(finishReason),
            "token_logprobs": tokenLogprobs.map { .array($0.map(JSONValue.number)) } ?? .null,
            "latency_ms": .number(latencyMs),
        ]
    }

    /// Reads a generation back from its stored JSON.
    public init?(json: JSONValue) {
        guard let text = json["text"]?.stringValue else { return nil }
        self.init(
            text: text, tokensIn: json["tokens_in"]?.intValue ?? 0, tokensOut: json["tokens_out"]?.intValue ?? 0,
            finishReason: json["finish_reason"]?.stringValue,
            tokenLogprobs: json["token_logprobs"]?.arrayValue?.compactMap(\.doubleValue))
        latencyMs = json["latency_ms"]?.doubleValue ?? 0
    }
}
