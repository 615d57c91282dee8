/// A closed interval `[lower, upper]`, used for confidence intervals.
public struct Interval: Sendable, Hashable, Codable {
    /// The lower end.
    public var lower: Double
    /// The upper end.
    public var upper: Double

    /// Creates an interval; `lower` must not exceed `upper`.
    public init(lower: Double, upper: Double) {
        precondition(lower <= upper, "interval ends out of order: \(lower) > \(upper)")
        self.lower = lower
        self.upper = upper
    }

    /// `upper - lower`.
    public var width: Double { upper - lower }

    /// Whether `value` lies inside, ends included.
    public func contains(_ value: Double) -> Bool {
        lower <= value && value <= upper
    }
}
