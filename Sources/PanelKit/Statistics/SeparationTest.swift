/// Decides whether one candidate beats another by more than the noise of a few shared items.
///
/// Used when picking the best model or ensemble on K labelled items: with K = 20, a 14/20 against 12/20 lead is
/// usually luck, and the selection should say so rather than crown a winner.
public enum SeparationTest {
    /// The conventional threshold for K-shot selection: lenient, because the alternative to "clearly better" is only
    /// "treat as tied", not a published claim.
    public static let defaultAlpha = 0.1

    /// Whether `a` is clearly better than `b`, where `a[i]` and `b[i]` are their outcomes on the same item `i`.
    ///
    /// Runs the exact McNemar test on the paired outcomes (see `McNemar`), which uses the pairing: items both get right
    /// or both get wrong say nothing about which is better. `better` is true only when `a` has more correct items
    /// *and* the two-sided p-value is at most `alpha`; the p-value is returned either way so callers can report it.
    /// McNemar rather than a paired bootstrap because it is exact at small K, deterministic without a seed, and
    /// cannot claim separation from fewer than five discordant items at α = 0.1 (the bootstrap can at K = 3).
    /// - Precondition: `a.count == b.count`.
    public static func clearlyBetter(a: [Bool], b: [Bool], alpha: Double = defaultAlpha) -> (better: Bool, pValue: Double) {
        let result = McNemar.test(a, b)
        let better = result.firstOnly > result.secondOnly && result.pValue <= alpha
        return (better, result.pValue)
    }
}
