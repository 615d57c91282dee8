/// Where a tensor lives in a GGUF file and what it looks like.
public struct GGUFTensorInfo: Sendable, Hashable {
    /// The tensor's name, e.g. `blk.0.attn_q.weight.lora_a`.
    public var name: String
    /// The extents in ggml order, fastest-varying first (the reverse of the NumPy/PyTorch shape).
    public var dimensions: [Int]
    /// The element type.
    public var type: GGMLType
    /// The byte offset of the data from the start of the file's data section.
    public var offset: UInt64
    /// The number of elements, the product of `dimensions`.
    public var elementCount: Int
    /// The size of the data in bytes, or nil when the type's layout is unknown.
    public var byteCount: Int?

    /// Creates a tensor description.
    public init(name: String, dimensions: [Int], type: GGMLType, offset: UInt64, elementCount: Int, byteCount: Int?) {
        self.name = name
        self.dimensions = dimensions
        self.type = type
        self.offset = offset
        self.elementCount = elementCount
        self.byteCount = byteCount
    }
}
