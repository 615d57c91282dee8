/// The metadata and tensor table of a GGUF file (versions 2 and 3, little-endian), with on-demand decoding of
/// individual tensors.
///
/// Opening reads only the header through a small window; tensor data is read when asked for, tensor by tensor, so
/// a 7 GB model can be inspected in milliseconds. The value holds no open file: each `readTensor` call opens the
/// file, reads one tensor's bytes with `pread`, and closes it, which keeps the type a plain `Sendable` value.
///
/// Validation follows llama.cpp's loader: unique keys and tensor names, at most 4 dimensions, the first dimension a
/// multiple of the type's block size, `general.alignment` a power of two (default 32), tensor offsets aligned, and
/// every tensor's data inside the file (so a truncated download fails at open, not halfway through a computation).
public struct GGUFFile: Sendable, Hashable {
    /// The default data alignment when `general.alignment` is absent.
    public static let defaultAlignment = 32

    /// The path the file was opened from.
    public let path: String
    /// The format version, 2 or 3.
    public let version: UInt32
    /// The metadata key-value pairs.
    public let metadata: [String: GGUFValue]
    /// The metadata keys in file order.
    public let metadataKeys: [String]
    /// The tensors in file order.
    public let tensors: [GGUFTensorInfo]
    /// The alignment of tensor data, from `general.alignment`.
    public let alignment: Int
    /// The absolute byte offset of the data section.
    public let dataOffset: UInt64
    /// The file's size in bytes when opened.
    public let fileSize: UInt64
    private let tensorIndex: [String: Int]

    /// Opens and validates the file at `path`, reading its metadata and tensor table.
    ///
    /// Metadata arrays longer than `maxArrayLength` are skipped and recorded as `.omittedArray`.
    public init(path: String, maxArrayLength: Int = 65_536) throws(GGUFError) {
        let file: ReadOnlyFile
        do {
            file = try ReadOnlyFile(path: path)
        } catch {
            throw GGUFByteReader.convert(error)
        }
        var reader = GGUFByteReader(file: file)
        self.path = path
        self.fileSize = file.size

        let magicLength = Int(min(4, file.size))
        let magic = Array(try reader.bytes(magicLength, reading: "magic"))
        guard magic == Array("GGUF".utf8) else { throw .badMagic(path: path, found: magic) }
        let version = try reader.uint32(reading: "version")
        if version.byteSwapped == 2 || version.byteSwapped == 3 { throw .bigEndian(path: path) }
        guard version == 2 || version == 3 else { throw .unsupportedVersion(path: path, version: version) }
        self.version = version

        let tensorCount = try reader.uint64(reading: "tensor count")
        let keyCount = try reader.uint64(reading: "metadata count")
        // Each entry takes at least 8 bytes: checking now turns absurd counts into an error instead of a huge allocation.
        guard tensorCount <= reader.remaining / 8, keyCount <= reader.remaining / 8 else {
            throw .truncated(
                path: path, offset: reader.position, reading: "\(keyCount) metadata entries and \(tensorCount) tensor infos")
        }

        var metadata: [String: GGUFValue] = [:]
        var keys: [String] = []
        keys.reserveCapacity(Int(keyCount))
        for index in 0..<Int(keyCount) {
            let key = try reader.string(reading: "key of metadata entry \(index)")
            let rawType = try reader.uint32(reading: "type of metadata '\(key)'")
            guard let type = GGUFValueType(rawValue: rawType) else {
                throw .unsupportedValueType(path: path, key: key, type: rawType)
            }
            let value = try Self.readValue(of: type, key: key, from: &reader, maxArrayLength: maxArrayLength)
            guard metadata.updateValue(value, forKey: key) == nil else {
                throw .malformed(path: path, reason: "duplicate metadata key '\(key)'")
            }
            keys.append(key)
        }
        self.metadata = metadata
        self.metadataKeys = keys

        var alignment = Self.defaultAlignment
        if let value = metadata["general.alignment"] {
            guard case .uint32(let raw) = value, raw > 0, raw & (raw - 1) == 0 else {
                throw .malformed(path: path, reason: "general.alignment must be a power-of-two uint32, found \(value)")
            }
            alignment = Int(raw)
        }
        self.alignment = alignment

        var tensors: [GGUFTensorInfo] = []
        tensors.reserveCapacity(Int(tensorCount))
        var tensorIndex: [String: Int] = [:]
        for index in 0..<Int(tensorCount) {
            let tensor = try Self.readTensorInfo(index: index, from: &reader, alignment: alignment)
            guard tensorIndex.updateValue(index, forKey: tensor.name) == nil else {
                throw .malformed(path: path, reason: "duplicate tensor name '\(tensor.name)'")
            }
            tensors.append(tensor)
        }
        self.tensors = tensors
        self.tensorIndex = tensorIndex

        let headerEnd = reader.position
        let padding = (UInt64(alignment) - headerEnd % UInt64(alignment)) % UInt64(alignment)
        self.dataOffset = headerEnd + padding
        for tensor in tensors {
            guard let byteCount = tensor.byteCount else { continue }
            let (end, overflow) = dataOffset.addingReportingOverflow(tensor.offset)
            guard !overflow, end <= fileSize, UInt64(byteCount) <= fileSize - end else {
                throw .truncated(path: path, offset: end, reading: "data of tensor '\(tensor.name)'")
            }
        }
    }

    /// The metadata value for `key`.
    public subscript(key: String) -> GGUFValue? {
        metadata[key]
    }

    /// The tensor named `name`.
    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The values of the tensor named `name`, decoded to `Float` in ggml order (fastest-varying dimension first).
    public func readTensor(named name: String) throws(GGUFError) -> [Float] {
        guard let info = tensor(named: name) else { throw .tensorNotFound(path: path, name: name) }
        return try readTensor(info)
    }

    /// The values of `info`'s tensor decoded to `Float`; types f32, f16, bf16, q8_0 and f64 are supported.
    public func readTensor(_ info: GGUFTensorInfo) throws(GGUFError) -> [Float] {
        guard GGMLType.decodable.contains(info.type), let byteCount = info.byteCount else {
            throw .unsupportedTensorType(path: path, tensor: info.name, type: info.type)
        }
        let bytes: [UInt8]
        do {
            let file = try ReadOnlyFile(path: path)
            bytes = try file.read(count: byteCount, at: dataOffset + info.offset)
        } catch {
            throw GGUFByteReader.convert(error)
        }
        guard bytes.count == byteCount else {
            throw .truncated(path: path, offset: dataOffset + info.offset, reading: "data of tensor '\(info.name)'")
        }
        return TensorDecoder.decode(bytes, type: info.type, count: info.elementCount)
    }

    private static func readValue(
        of type: GGUFValueType, key: String, from reader: inout GGUFByteReader, maxArrayLength: Int
    ) throws(GGUFError) -> GGUFValue {
        let what = "value of metadata '\(key)'"
        switch type {
        case .uint8: return .uint8(UInt8(truncatingIfNeeded: try reader.unsigned(1, reading: what)))
        case .int8: return .int8(Int8(truncatingIfNeeded: try reader.unsigned(1, reading: what)))
        case .uint16: return .uint16(UInt16(truncatingIfNeeded: try reader.unsigned(2, reading: what)))
        case .int16: return .int16(Int16(truncatingIfNeeded: try reader.unsigned(2, reading: what)))
        case .uint32: return .uint32(UInt32(truncatingIfNeeded: try reader.unsigned(4, reading: what)))
        case .int32: return .int32(Int32(truncatingIfNeeded: try reader.unsigned(4, reading: what)))
        case .uint64: return .uint64(try reader.unsigned(8, reading: what))
        case .int64: return .int64(Int64(bitPattern: try reader.unsigned(8, reading: what)))
        case .float32: return .float32(Float(bitPattern: UInt32(truncatingIfNeeded: try reader.unsigned(4, reading: what))))
        case .float64: return .float64(Double(bitPattern: try reader.unsigned(8, reading: what)))
        case .bool:
            let byte = try reader.unsigned(1, reading: what)
            guard byte <= 1 else {
                throw .malformed(path: reader.path, reason: "metadata '\(key)' is a bool stored as \(byte)")
            }
            return .bool(byte == 1)
        case .string:
            return .string(try reader.string(reading: what))
        case .array:
            let rawElementType = try reader.uint32(reading: "element type of metadata '\(key)'")
            guard let elementType = GGUFValueType(rawValue: rawElementType) else {
                throw .unsupportedValueType(path: reader.path, key: key, type: rawElementType)
            }
            guard elementType != .array else {
                throw .malformed(path: reader.path, reason: "metadata '\(key)' is an array of arrays")
            }
            let count = try reader.uint64(reading: "length of metadata '\(key)'")
            guard count <= reader.remaining else {
                throw .truncated(path: reader.path, offset: reader.position, reading: what)
            }
            if count > UInt64(maxArrayLength) {
                try skipArray(of: elementType, count: count, key: key, from: &reader)
                return .omittedArray(elementType: elementType, count: count)
            }
            var elements: [GGUFValue] = []
            elements.reserveCapacity(Int(count))
            for _ in 0..<Int(count) {
                elements.append(try readValue(of: elementType, key: key, from: &reader, maxArrayLength: maxArrayLength))
            }
            return .array(elementType: elementType, elements: elements)
        }
    }

    private static func skipArray(
        of type: GGUFValueType, count: UInt64, key: String, from reader: inout GGUFByteReader
    ) throws(GGUFError) {
        let what = "value of metadata '\(key)'"
        let width: UInt64? =
            switch type {
            case .uint8, .int8, .bool: 1
            case .uint16, .int16: 2
            case .uint32, .int32, .float32: 4
            case .uint64, .int64, .float64: 8
            case .string, .array: nil
            }
        if let width {
            let (total, overflow) = width.multipliedReportingOverflow(by: count)
            guard !overflow else { throw .truncated(path: reader.path, offset: reader.position, reading: what) }
            try reader.skip(total, reading: what)
        } else {
            for _ in 0..<count {
                let length = try reader.uint64(reading: "length of a string in \(what)")
                try reader.skip(length, reading: what)
            }
        }
    }

    private static func readTensorInfo(
        index: Int, from reader: inout GGUFByteReader, alignment: Int
    ) throws(GGUFError) -> GGUFTensorInfo {
        let path = reader.path
        let name = try reader.string(reading: "name of tensor \(index)")
        let dimensionCount = try reader.uint32(reading: "dimension count of tensor '\(name)'")
        guard (1...4).contains(dimensionCount) else {
            throw .malformed(path: path, reason: "tensor '\(name)' has \(dimensionCount) dimensions (1 to 4 allowed)")
        }
        var dimensions: [Int] = []
        var elementCount = 1
        for _ in 0..<dimensionCount {
            let raw = Int64(bitPattern: try reader.uint64(reading: "dimensions of tensor '\(name)'"))
            guard raw >= 0 else {
                throw .malformed(path: path, reason: "tensor '\(name)' has a negative dimension \(raw)")
            }
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: Int(raw))
            guard !overflow else {
                throw .malformed(path: path, reason: "tensor '\(name)' has too many elements")
            }
            dimensions.append(Int(raw))
            elementCount = product
        }
        let type = GGMLType(rawValue: try reader.uint32(reading: "type of tensor '\(name)'"))
        let offset = try reader.uint64(reading: "offset of tensor '\(name)'")
        guard offset % UInt64(alignment) == 0 else {
            throw .malformed(path: path, reason: "tensor '\(name)' offset \(offset) is not a multiple of \(alignment)")
        }
        var byteCount: Int?
        if let blockSize = type.blockSize, let bytesPerBlock = type.bytesPerBlock {
            guard dimensions[0] % blockSize == 0 else {
                throw .malformed(
                    path: path,
                    reason: "tensor '\(name)' of type \(type.name) has a first dimension \(dimensions[0]) "
                        + "that is not a multiple of the block size \(blockSize)")
            }
            let (bytes, overflow) = (elementCount / blockSize).multipliedReportingOverflow(by: bytesPerBlock)
            guard !overflow else { throw .malformed(path: path, reason: "tensor '\(name)' is too large") }
            byteCount = bytes
        }
        return GGUFTensorInfo(
            name: name, dimensions: dimensions, type: type, offset: offset, elementCount: elementCount,
            byteCount: byteCount)
    }
}
