/// The 64-bit FNV-1a hash, fed incrementally.
///
/// Used instead of Swift's `Hasher`, which is seeded randomly per process: hashed feature indices end up in stored
/// vectors, so the same text must land in the same buckets in every run, on every machine, in every Swift release.
public struct FNV1a: Sendable, Hashable {
    private static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// The hash of everything combined so far.
    public private(set) var value: UInt64 = FNV1a.offsetBasis

    /// Starts the hash of the empty input.
    public init() {}

    /// Feeds one byte.
    public mutating func combine(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* Self.prime
    }

    /// Feeds `bytes` in order.
    public mutating func combine(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { combine(byte) }
    }

    /// The hash of `string`'s UTF-8 bytes.
    public static func hash(_ string: String) -> UInt64 {
        var hasher = FNV1a()
        hasher.combine(string.utf8)
        return hasher.value
    }
}
