/// How well a candidate fused the shortlist's proposals on a few K-shot items.
public struct AggregatorTrial: Sendable, Equatable {
    /// The candidate tried as aggregator.
    public var id: String
    /// Items whose fused answer was correct.
    public var correct: Int
    /// Items tried.
    public var trials: Int
}
