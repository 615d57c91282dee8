/// One round of sequential fusion, as the trace shows it.
public struct FusionRound: Sendable, Equatable {
    /// 1-based round number.
    public var index: Int
    /// Whether the previous round's synthesis was carried in (placed first, marked as the current best).
    public var carried: Bool
    /// Indices of the (collapsed) proposals the round's window held.
    public var window: [Int]
    /// The aggregator's output.
    public var output: String
    /// The answer extracted from it.
    public var extracted: ExtractedAnswer

    /// The round as JSON.
    public var json: JSONValue {
        [
            "round": .int(index), "carried": .bool(carried), "window": .array(window.map { .int($0) }),
            "output": .string(output), "extracted": .optional(extracted.text),
        ]
    }
}
