/// Sampling settings from a pool file; unset fields fall back to Panel's defaults.
public struct SamplingDefaults: Sendable, Hashable {
    /// Temperature for samples that should differ (Self-MoA proposals).
    public var temperature: Double?
    /// Nucleus sampling threshold.
    public var topP: Double?
    /// Top-k sampling.
    public var topK: Int?
    /// The most tokens one answer may take.
    public var maxTokens: Int?

    /// Creates settings.
    public init(temperature: Double? = nil, topP: Double? = nil, topK: Int? = nil, maxTokens: Int? = nil) {
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.maxTokens = maxTokens
    }

    /// These settings with unset fields taken from `fallback`.
    public func over(_ fallback: SamplingDefaults) -> SamplingDefaults {
        SamplingDefaults(
            temperature: temperature ?? fallback.temperature, topP: topP ?? fallback.topP,
            topK: topK ?? fallback.topK, maxTokens: maxTokens ?? fallback.maxTokens)
    }
}
