/// A seedable 64-bit generator (Steele, Lea & Flood's SplitMix64), so resampling is reproducible.
///
/// `SystemRandomNumberGenerator` cannot be seeded, and bootstrap intervals stored with a run must come out the same
/// when the run is re-analysed. SplitMix64 passes BigCrush, needs one word of state and is what xoshiro's authors
/// recommend for seeding; its statistical quality is ample for resampling indices.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound`, by Lemire's multiply-and-reject method.
    ///
    /// Implemented here rather than taken from `Int.random(in:using:)` because the standard library does not
    /// promise that its mapping from bits to ranges stays the same across Swift releases; this one cannot change.
    public mutating func uniform(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }
}
