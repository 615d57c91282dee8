extension Duration {
    /// The duration in seconds, for messages and arithmetic with `Double`s.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
