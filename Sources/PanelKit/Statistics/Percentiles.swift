/// The median and 95th percentile of a sample, e.g. of request durations.
///
/// Percentiles use linear interpolation between closest ranks (Hyndman & Fan type 7, the default of NumPy, R and
/// spreadsheet `PERCENTILE`): for sorted values `x[0…n−1]` the p-quantile is read at position `p·(n−1)`. Chosen over
/// nearest-rank because it moves smoothly as samples are added, so p95 of 20 runs does not jump to the maximum.
public struct Percentiles: Sendable, Hashable, Codable {
    /// How many values the summary was computed from.
    public var count: Int
    /// The 50th percentile (median).
    public var p50: Double
    /// The 95th percentile.
    public var p95: Double

    /// Summarises `values`, or returns nil when there are none (there is no median of nothing).
    /// NaN values are ignored, since they cannot be ordered.
    public init?(_ values: [Double]) {
        let sorted = values.filter { !$0.isNaN }.sorted()
        guard !sorted.isEmpty else { return nil }
        count = sorted.count
        p50 = Self.quantile(0.5, ofSorted: sorted)
        p95 = Self.quantile(0.95, ofSorted: sorted)
    }

    /// Summarises durations, in seconds.
    public init?(durations: [Duration]) {
        self.init(durations.map(\.seconds))
    }

    /// The `p`-quantile (`0 ≤ p ≤ 1`) of `values`, or nil when there are none.
    public static func quantile(_ p: Double, of values: [Double]) -> Double? {
        let sorted = values.filter { !$0.isNaN }.sorted()
        return sorted.isEmpty ? nil : quantile(p, ofSorted: sorted)
    }

    /// The `p`-quantile of already ascending, non-empty `sorted`, by linear interpolation (type 7).
    public static func quantile(_ p: Double, ofSorted sorted: [Double]) -> Double {
        precondition(!sorted.isEmpty, "quantile of an empty sample")
        precondition((0...1).contains(p), "quantile level \(p) outside [0, 1]")
        let position = p * Double(sorted.count - 1)
        let below = Int(position.rounded(.down))
        let above = min(below + 1, sorted.count - 1)
        let fraction = position - Double(below)
        return fraction == 0 ? sorted[below] : sorted[below] + fraction * (sorted[above] - sorted[below])
    }
}

extension Duration {
    /// The duration in seconds, attoseconds included.
    fileprivate var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
