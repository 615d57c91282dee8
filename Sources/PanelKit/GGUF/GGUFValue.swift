/// A metadata value from a GGUF file.
public enum GGUFValue: Sendable, Hashable {
    /// Unsigned 8-bit integer.
    case uint8(UInt8)
    /// Signed 8-bit integer.
    case int8(Int8)
    /// Unsigned 16-bit integer.
    case uint16(UInt16)
    /// Signed 16-bit integer.
    case int16(Int16)
    /// Unsigned 32-bit integer.
    case uint32(UInt32)
    /// Signed 32-bit integer.
    case int32(Int32)
    /// Unsigned 64-bit integer.
    case uint64(UInt64)
    /// Signed 64-bit integer.
    case int64(Int64)
    /// 32-bit float.
    case float32(Float)
    /// 64-bit float.
    case float64(Double)
    /// Boolean.
    case bool(Bool)
    /// UTF-8 string (invalid sequences replaced with U+FFFD).
    case string(String)
    /// An array of values of one type.
    case array(elementType: GGUFValueType, elements: [GGUFValue])
    /// An array longer than the limit given when opening the file, skipped unread (tokenizer vocabularies of model
    /// files run to 150,000 strings, which nothing in Panel needs).
    case omittedArray(elementType: GGUFValueType, count: UInt64)

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// Any integer value as `Int`, if it is an integer that fits.
    public var intValue: Int? {
        switch self {
        case .uint8(let value): Int(value)
        case .int8(let value): Int(value)
        case .uint16(let value): Int(value)
        case .int16(let value): Int(value)
        case .uint32(let value): Int(value)
        case .int32(let value): Int(value)
        case .uint64(let value): Int(exactly: value)
        case .int64(let value): Int(value)
        default: nil
        }
    }

    /// Any numeric value as `Double`, if it is a number.
    public var doubleValue: Double? {
        switch self {
        case .float32(let value): Double(value)
        case .float64(let value): value
        default: intValue.map(Double.init)
        }
    }

    /// The Boolean, if this is one.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, if this is an array that was read.
    public var arrayValue: [GGUFValue]? {
        if case .array(_, let elements) = self { return elements }
        return nil
    }

    /// The value's type tag.
    public var type: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .uint64: .uint64
        case .int64: .int64
        case .float32: .float32
        case .float64: .float64
        case .bool: .bool
        case .string: .string
        case .array, .omittedArray: .array
        }
    }
}
