/// `successes` out of `trials`, e.g. items answered correctly, with its Wilson score interval.
public struct Proportion: Sendable, Hashable, Codable {
    /// How many trials succeeded.
    public var successes: Int
    /// How many trials there were.
    public var trials: Int

    /// Creates a proportion; `0 <= successes <= trials`.
    public init(successes: Int, trials: Int) {
        precondition(trials >= 0 && successes >= 0 && successes <= trials, "need 0 <= \(successes) <= \(trials)")
        self.successes = successes
        self.trials = trials
    }

    /// Counts the `true` outcomes.
    public init(outcomes: [Bool]) {
        self.init(successes: outcomes.count(where: { $0 }), trials: outcomes.count)
    }

    /// `successes / trials`, or 0 when there were no trials (a report shows "0/0", never NaN).
    public var value: Double {
        trials == 0 ? 0 : Double(successes) / Double(trials)
    }

    /// The Wilson score interval at the confidence level given by the normal quantile `z`
    /// (1.959964 for 95 %).
    ///
    /// Wilson rather than the textbook `p ± z·√(p(1−p)/n)` because K-shot sets are small (often 10–50 items) and scores
    /// near 0 or 1 are common: the Wald interval collapses to a point at 0/n and n/n and leaves [0, 1], Wilson does
    /// neither. With no trials nothing is known, so the interval is all of [0, 1].
    public func wilsonInterval(z: Double = 1.959_963_984_540_054) -> Interval {
        guard trials > 0 else { return Interval(lower: 0, upper: 1) }
        let n = Double(trials)
        let p = value
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let halfWidth = z * ((p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()) / denominator
        // At 0/n and n/n one end is exactly 0 or 1 mathematically; pin it so rounding cannot leave it at 1e-17.
        let lower = successes == 0 ? 0 : max(0, centre - halfWidth)
        let upper = successes == trials ? 1 : min(1, centre + halfWidth)
        return Interval(lower: lower, upper: upper)
    }
}
