import Foundation

extension Interval: CustomStringConvertible {
    /// `[0.123, 0.456]`, three decimals, the precision a report needs.
    public var description: String {
        "[\(Self.format(lower)), \(Self.format(upper))]"
    }

    private static func format(_ value: Double) -> String {
        let scaled = (value * 1000).rounded() / 1000
        return scaled == 0 ? "0.000" : String(format: "%.3f", scaled)
    }
}
