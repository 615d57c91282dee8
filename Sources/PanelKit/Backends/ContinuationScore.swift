import Foundation

/// The log-likelihood a model assigns to a given continuation of a prompt.
public struct ContinuationScore: Sendable, Hashable {
    /// Natural-log probabilities of the continuation's tokens, in order.
    public var tokenLogprobs: [Double]
    /// The continuation's length in UTF-8 bytes, for tokenizer-independent comparison.
    public var byteCount: Int
    /// Whether the log-probabilities are exact (forced decoding, prompt logprobs) or approximated.
    public var exact: Bool

    /// Creates a score.
    public init(tokenLogprobs: [Double], byteCount: Int, exact: Bool) {
        self.tokenLogprobs = tokenLogprobs
        self.byteCount = byteCount
        self.exact = exact
    }

    /// The total log-likelihood.
    public var logLikelihood: Double { tokenLogprobs.reduce(0, +) }

    /// Mean-token perplexity: comparable only between models that share a tokenizer.
    public var perplexity: Double { exp(-logLikelihood / Double(max(tokenLogprobs.count, 1))) }

    /// Bits per byte of the continuation: comparable across tokenizers.
    public var bitsPerByte: Double { -logLikelihood / log(2) / Double(max(byteCount, 1)) }

    /// The score as JSON, for the store and cache.
    public var json: JSONValue {
        ["token_logprobs": .array(tokenLogprobs.map(JSONValue.number)), "bytes": .int(byteCount), "exact": .bool(exact)]
    }

    /// Reads a score back from its stored JSON.
    public init?(json: JSONValue) {
        guard let values = json["token_logprobs"]?.arrayValue, let bytes = json["bytes"]?.intValue else { return nil }
        self.init(
            tokenLogprobs: values.compactMap(\.doubleValue), byteCount: bytes, exact: json["exact"]?.boolValue ?? true)
    }
}
