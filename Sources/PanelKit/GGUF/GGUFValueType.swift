/// The type tag of a metadata value in a GGUF file.
public enum GGUFValueType: UInt32, Sendable, Hashable, CaseIterable, Codable {
    /// Unsigned 8-bit integer.
    case uint8 = 0
    /// Signed 8-bit integer.
    case int8 = 1
    /// Unsigned 16-bit integer.
    case uint16 = 2
    /// Signed 16-bit integer.
    case int16 = 3
    /// Unsigned 32-bit integer.
    case uint32 = 4
    /// Signed 32-bit integer.
    case int32 = 5
    /// 32-bit float.
    case float32 = 6
    /// One byte, 0 or 1.
    case bool = 7
    /// UTF-8 bytes preceded by a 64-bit length.
    case string = 8
    /// An element type, a 64-bit count, then the elements.
    case array = 9
    /// Unsigned 64-bit integer.
    case uint64 = 10
    /// Signed 64-bit integer.
    case int64 = 11
    /// 64-bit float.
    case float64 = 12
}
