/// Decodes raw little-endian tensor bytes to `Float`.
enum TensorDecoder {
    /// Decodes `count` elements of `type` from `bytes`, whose size the caller has checked against the type's layout.
    static func decode(_ bytes: [UInt8], type: GGMLType, count: Int) -> [Float] {
        bytes.withUnsafeBytes { raw in
            switch type {
            case .f32:
                (0..<count).map { Float(bitPattern: load(UInt32.self, raw, at: $0 * 4)) }
            case .f16:
                (0..<count).map { halfToFloat(load(UInt16.self, raw, at: $0 * 2)) }
            case .bf16:
                (0..<count).map { bfloat16ToFloat(load(UInt16.self, raw, at: $0 * 2)) }
            case .f64:
                (0..<count).map { Float(Double(bitPattern: load(UInt64.self, raw, at: $0 * 8))) }
            case .q8_0:
                decodeQ8_0(raw, count: count)
            default:
                preconditionFailure("decode called for undecodable type \(type.name)")
            }
        }
    }

    /// ggml's `block_q8_0`: an f16 scale `d` then 32 signed bytes `q`; element = `d × q`.
    private static func decodeQ8_0(_ raw: UnsafeRawBufferPointer, count: Int) -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(count)
        for block in 0..<(count / 32) {
            let base = block * 34
            let scale = halfToFloat(load(UInt16.self, raw, at: base))
            for index in 0..<32 {
                values.append(scale * Float(Int8(bitPattern: raw[base + 2 + index])))
            }
        }
        return values
    }

    /// A little-endian integer at any (possibly unaligned) byte offset.
    private static func load<T: FixedWidthInteger>(_: T.Type, _ raw: UnsafeRawBufferPointer, at offset: Int) -> T {
        T(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// IEEE 754 binary16 to binary32, subnormals, infinities and NaN included.
    static func halfToFloat(_ bits: UInt16) -> Float {
        Float(Float16(bitPattern: bits))
    }

    /// bfloat16 is the upper 16 bits of a binary32.
    static func bfloat16ToFloat(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}
