/// The element type of a tensor in a GGUF file (ggml's `ggml_type`), kept as its raw number so files with types
/// newer than this code still open.
public struct GGMLType: RawRepresentable, Sendable, Hashable, Codable {
    /// The number stored in the file.
    public let rawValue: UInt32

    /// Wraps a raw type number.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// 32-bit IEEE float.
    public static let f32 = GGMLType(rawValue: 0)
    /// 16-bit IEEE float.
    public static let f16 = GGMLType(rawValue: 1)
    /// Blocks of 32 signed bytes with one f16 scale.
    public static let q8_0 = GGMLType(rawValue: 8)
    /// 64-bit IEEE float.
    public static let f64 = GGMLType(rawValue: 28)
    /// bfloat16: the upper half of an f32.
    public static let bf16 = GGMLType(rawValue: 30)

    /// The types `GGUFFile.readTensor` can decode to `Float`.
    public static let decodable: Set<GGMLType> = [.f32, .f16, .bf16, .q8_0, .f64]

    /// ggml's name for the type (`q4_K`, `bf16`…), or `type N` for numbers this code does not know.
    public var name: String {
        Self.layouts[rawValue]?.name ?? "type \(rawValue)"
    }

    /// How many elements one block holds, or nil for an unknown type.
    public var blockSize: Int? {
        Self.layouts[rawValue]?.blockSize
    }

    /// How many bytes one block takes, or nil for an unknown type.
    public var bytesPerBlock: Int? {
        Self.layouts[rawValue]?.bytesPerBlock
    }

    /// Block layouts from ggml's type traits (and gguf-py's `GGML_QUANT_SIZES`); needed to find where each tensor's
    /// data ends, so truncated files are caught at open time even for types that cannot be decoded.
    private static let layouts: [UInt32: (name: String, blockSize: Int, bytesPerBlock: Int)] = [
        0: ("f32", 1, 4), 1: ("f16", 1, 2), 2: ("q4_0", 32, 18), 3: ("q4_1", 32, 20),
        6: ("q5_0", 32, 22), 7: ("q5_1", 32, 24), 8: ("q8_0", 32, 34), 9: ("q8_1", 32, 36),
        10: ("q2_K", 256, 84), 11: ("q3_K", 256, 110), 12: ("q4_K", 256, 144), 13: ("q5_K", 256, 176),
        14: ("q6_K", 256, 210), 15: ("q8_K", 256, 292), 16: ("iq2_xxs", 256, 66), 17: ("iq2_xs", 256, 74),
        18: ("iq3_xxs", 256, 98), 19: ("iq1_s", 256, 50), 20: ("iq4_nl", 32, 18), 21: ("iq3_s", 256, 110),
        22: ("iq2_s", 256, 82), 23: ("iq4_xs", 256, 136), 24: ("i8", 1, 1), 25: ("i16", 1, 2),
        26: ("i32", 1, 4), 27: ("i64", 1, 8), 28: ("f64", 1, 8), 29: ("iq1_m", 256, 56),
        30: ("bf16", 1, 2), 34: ("tq1_0", 256, 54), 35: ("tq2_0", 256, 66), 39: ("mxfp4", 32, 17),
    ]
}

extension GGMLType: CustomStringConvertible {
    /// The type's ggml name.
    public var description: String { name }
}
