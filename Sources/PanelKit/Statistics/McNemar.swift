#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The exact McNemar test: do two systems, scored on the same items, differ in accuracy?
///
/// Only discordant items carry information: `b` items where the first system is right and the second wrong, `c` the
/// reverse. Under the null hypothesis each discordant item is a fair coin, so the two-sided p-value is
/// `min(1, 2·P(X ≤ min(b, c)))` with `X ~ Binomial(b + c, 1/2)`. The exact form, not the χ² approximation, because
/// K-shot sets give only a handful of discordant items.
public enum McNemar {
    /// The result of comparing two systems' paired outcomes.
    public struct Result: Sendable, Hashable, Codable {
        /// Items the first system got right and the second wrong.
        public var firstOnly: Int
        /// Items the second system got right and the first wrong.
        public var secondOnly: Int
        /// The exact two-sided p-value.
        public var pValue: Double
    }

    /// Compares paired outcomes `a[i]`, `b[i]` on the same item `i`.
    /// - Precondition: `a.count == b.count`.
    public static func test(_ a: [Bool], _ b: [Bool]) -> Result {
        precondition(a.count == b.count, "paired outcomes differ in length: \(a.count) and \(b.count)")
        var firstOnly = 0
        var secondOnly = 0
        for (x, y) in zip(a, b) where x != y {
            if x { firstOnly += 1 } else { secondOnly += 1 }
        }
        return Result(firstOnly: firstOnly, secondOnly: secondOnly, pValue: exactPValue(b: firstOnly, c: secondOnly))
    }

    /// The exact two-sided p-value for discordant counts `b` and `c`; 1 when there are none (no evidence either way).
    ///
    /// Up to 60 discordant items the binomial coefficients are summed exactly in integers. Beyond, terms are built in
    /// log space by the ratio `C(n, i+1)/C(n, i) = (n − i)/(i + 1)` starting from `log 2^−n`, then summed relative to
    /// the largest term, so n in the tens of thousands neither overflows nor underflows to a spurious 0.
    public static func exactPValue(b: Int, c: Int) -> Double {
        precondition(b >= 0 && c >= 0, "discordant counts must not be negative")
        let n = b + c
        // |b − c| ≤ 1 puts at least half the distribution at or below min(b, c): p is exactly 1, which the
        // floating-point sums below would only approach.
        guard abs(b - c) > 1 else { return 1 }
        let k = min(b, c)
        if n <= 60 {
            // Exact integer sum of C(n, i): K-shot sets rarely exceed this, and their p-values then carry no rounding.
            var coefficient: UInt64 = 1
            var sum: UInt64 = 1
            for i in 0..<k {
                coefficient = coefficient * UInt64(n - i) / UInt64(i + 1)
                sum += coefficient
            }
            return min(1, 2 * Double(sum) / pow(2, Double(n)))
        }
        var logTerms: [Double] = []
        logTerms.reserveCapacity(k + 1)
        var logTerm = -Double(n) * log(2.0)
        logTerms.append(logTerm)
        for i in 0..<k {
            logTerm += log(Double(n - i)) - log(Double(i + 1))
            logTerms.append(logTerm)
        }
        // Terms increase up to i = n/2 and k ≤ n/2, so the last is the largest.
        let largest = logTerms[k]
        var scaledSum = 0.0
        for term in logTerms {
            scaledSum += exp(term - largest)
        }
        let tail = exp(largest + log(scaledSum))
        return min(1, 2 * tail)
    }
}
