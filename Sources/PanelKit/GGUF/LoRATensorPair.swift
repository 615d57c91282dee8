/// The two low-rank factors LoRA adds to one base weight: `ΔW = B·A`, scaled by alpha/rank.
public struct LoRATensorPair: Sendable, Hashable {
    /// The base tensor's name, e.g. `blk.0.attn_q.weight`.
    public var base: String
    /// The down-projection `A`, ggml shape `[in, rank]`, named `base + ".lora_a"`.
    public var a: GGUFTensorInfo
    /// The up-projection `B`, ggml shape `[rank, out]`, named `base + ".lora_b"`.
    public var b: GGUFTensorInfo

    /// Creates a pair.
    public init(base: String, a: GGUFTensorInfo, b: GGUFTensorInfo) {
        self.base = base
        self.a = a
        self.b = b
    }

    /// The rank `r`, `lora_b`'s first ggml dimension (as llama.cpp reads it).
    public var rank: Int { b.dimensions[0] }
}
