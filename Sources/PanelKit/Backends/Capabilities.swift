/// What a candidate's server can do, as found by probing it.
public struct Capabilities: Sendable, Hashable {
    /// How a given continuation can be scored.
    public enum Scoring: String, Sendable, Hashable {
        /// Exact log-probabilities of every forced token (llama-server forced decoding, vLLM prompt logprobs).
        case exact
        /// An approximation from top-k generated-token logprobs (Ollama).
        case approx
        /// No way to score a continuation.
        case none
    }

    /// Chat through the server's template.
    public var chat: Bool
    /// Raw text completion.
    public var completion: Bool
    /// The most samples one request may return (`n`); 1 means samples are sent as independent requests.
    public var maxN: Int
    /// Log-probabilities of generated tokens.
    public var logprobs: Bool
    /// Continuation scoring.
    public var scoring: Scoring
    /// Per-request LoRA adapters.
    public var lora: Bool
    /// An embeddings route.
    public var embeddings: Bool
    /// A tokenizer route.
    public var tokenize: Bool

    /// Creates a capability set.
    public init(
        chat: Bool = false, completion: Bool = false, maxN: Int = 1, logprobs: Bool = false,
        scoring: Scoring = .none, lora: Bool = false, embeddings: Bool = false, tokenize: Bool = false
    ) {
        self.chat = chat
        self.completion = completion
        self.maxN = maxN
        self.logprobs = logprobs
        self.scoring = scoring
        self.lora = lora
        self.embeddings = embeddings
        self.tokenize = tokenize
    }

    /// The capabilities as JSON.
    public var json: JSONValue {
        [
            "chat": .bool(chat), "completion": .bool(completion), "n": .int(maxN), "logprobs": .bool(logprobs),
            "scoring": .string(scoring.rawValue), "lora": .bool(lora), "embeddings": .bool(embeddings),
            "tokenize": .bool(tokenize),
        ]
    }

    /// Reads capabilities back from JSON.
    public init(json: JSONValue) {
        self.init(
            chat: json["chat"]?.boolValue ?? false, completion: json["completion"]?.boolValue ?? false,
            maxN: json["n"]?.intValue ?? 1, logprobs: json["logprobs"]?.boolValue ?? false,
            scoring: json["scoring"]?.stringValue.flatMap(Scoring.init(rawValue:)) ?? .none,
            lora: json["lora"]?.boolValue ?? false, embeddings: json["embeddings"]?.boolValue ?? false,
            tokenize: json["tokenize"]?.boolValue ?? false)
    }
}
