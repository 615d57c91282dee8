/// Why a GGUF file could not be read, naming the file and what was wrong.
public enum GGUFError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened; `reason` is the system's message.
    case cannotOpen(path: String, reason: String)
    /// A read failed part-way; `reason` is the system's message.
    case readFailed(path: String, reason: String)
    /// The file does not start with `GGUF`.
    case badMagic(path: String, found: [UInt8])
    /// The file is a big-endian GGUF, which this little-endian reader does not decode.
    case bigEndian(path: String)
    /// The version is not 2 or 3 (version 1 used 32-bit counts and is long obsolete).
    case unsupportedVersion(path: String, version: UInt32)
    /// The file ends before `reading` (at byte `offset`) is complete.
    case truncated(path: String, offset: UInt64, reading: String)
    /// The file is structurally invalid; `reason` says how.
    case malformed(path: String, reason: String)
    /// A metadata value has a type tag outside the GGUF specification.
    case unsupportedValueType(path: String, key: String, type: UInt32)
    /// A tensor's element type cannot be decoded to floats.
    case unsupportedTensorType(path: String, tensor: String, type: GGMLType)
    /// No tensor has this name.
    case tensorNotFound(path: String, name: String)

    /// A one-line, lowercase message naming the file.
    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "cannot open \(path): \(reason)"
        case .readFailed(let path, let reason):
            "cannot read \(path): \(reason)"
        case .badMagic(let path, let found):
            "\(path) is not a GGUF file: it starts with \(Self.show(found)), not 'GGUF'"
        case .bigEndian(let path):
            "\(path) is a big-endian GGUF file; only little-endian files are supported"
        case .unsupportedVersion(let path, let version):
            "\(path) has GGUF version \(version); only versions 2 and 3 are supported"
        case .truncated(let path, let offset, let reading):
            "\(path) is truncated: it ends before the \(reading) starting at byte \(offset) is complete"
        case .malformed(let path, let reason):
            "\(path) is not a valid GGUF file: \(reason)"
        case .unsupportedValueType(let path, let key, let type):
            "\(path): metadata key '\(key)' has unknown value type \(type)"
        case .unsupportedTensorType(let path, let tensor, let type):
            "\(path): tensor '\(tensor)' has type \(type.name), which cannot be decoded "
                + "(supported: \(GGMLType.decodable.map(\.name).sorted().joined(separator: ", ")))"
        case .tensorNotFound(let path, let name):
            "\(path) has no tensor named '\(name)'"
        }
    }

    /// Printable characters as text in quotes, anything else as hex bytes.
    private static func show(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "nothing (the file is empty)" }
        if bytes.allSatisfy({ (0x20..<0x7f).contains($0) }) {
            return "'\(String(decoding: bytes, as: UTF8.self))'"
        }
        return bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0\(digits)" : digits
        }.joined(separator: " ")
    }
}
