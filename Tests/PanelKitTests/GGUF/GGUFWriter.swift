import Foundation
import PanelKit

/// Writes small, valid GGUF v3 files for tests: metadata, then tensor infos, then aligned tensor data.
struct GGUFWriter {
    struct Tensor {
        var name: String
        var dimensions: [Int]
        var type: UInt32
        var bytes: [UInt8]
    }

    var version: UInt32 = 3
    var alignment = 32
    var metadata: [(key: String, value: GGUFValue)] = []
    var tensors: [Tensor] = []

    mutating func set(_ key: String, _ value: GGUFValue) {
        metadata.append((key, value))
    }

    mutating func addF32(_ name: String, dimensions: [Int], values: [Float]) {
        precondition(values.count == dimensions.reduce(1, *))
        var bytes: [UInt8] = []
        for value in values { bytes.appendLittleEndian(value.bitPattern) }
        tensors.append(Tensor(name: name, dimensions: dimensions, type: 0, bytes: bytes))
    }

    mutating func addF16(_ name: String, dimensions: [Int], values: [Float]) {
        precondition(values.count == dimensions.reduce(1, *))
        var bytes: [UInt8] = []
        for value in values { bytes.appendLittleEndian(Float16(value).bitPattern) }
        tensors.append(Tensor(name: name, dimensions: dimensions, type: 1, bytes: bytes))
    }

    mutating func addRaw(_ name: String, dimensions: [Int], type: UInt32, bytes: [UInt8]) {
        tensors.append(Tensor(name: name, dimensions: dimensions, type: type, bytes: bytes))
    }

    /// A LoRA adapter file with the given factors (ggml shapes: a = [in, r], b = [r, out]).
    static func adapter(
        alpha: Float = 16, generalType: String = "adapter", factors: [(base: String, a: [Float], aShape: [Int], b: [Float], bShape: [Int])]
    ) -> GGUFWriter {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        writer.set("general.type", .string(generalType))
        writer.set("adapter.type", .string("lora"))
        writer.set("adapter.lora.alpha", .float32(alpha))
        for factor in factors {
            writer.addF32(factor.base + ".lora_a", dimensions: factor.aShape, values: factor.a)
            writer.addF32(factor.base + ".lora_b", dimensions: factor.bShape, values: factor.b)
        }
        return writer
    }

    func bytes() -> [UInt8] {
        var out: [UInt8] = Array("GGUF".utf8)
        out.appendLittleEndian(version)
        out.appendLittleEndian(UInt64(tensors.count))
        out.appendLittleEndian(UInt64(metadata.count))
        for (key, value) in metadata {
            out.appendString(key)
            out.appendLittleEndian(value.type.rawValue)
            out.appendValue(value)
        }
        var offset = 0
        var offsets: [Int] = []
        for tensor in tensors {
            offsets.append(offset)
            offset += tensor.bytes.count
            offset = (offset + alignment - 1) / alignment * alignment
        }
        for (tensor, offset) in zip(tensors, offsets) {
            out.appendString(tensor.name)
            out.appendLittleEndian(UInt32(tensor.dimensions.count))
            for dimension in tensor.dimensions { out.appendLittleEndian(UInt64(dimension)) }
            out.appendLittleEndian(tensor.type)
            out.appendLittleEndian(UInt64(offset))
        }
        out.padTo(alignment)
        for tensor in tensors {
            out.append(contentsOf: tensor.bytes)
            out.padTo(alignment)
        }
        return out
    }

    /// Writes the file into `scratch` and returns its path.
    func write(in scratch: ScratchDirectory, named name: String = "\(UUID().uuidString).gguf") throws -> String {
        try scratch.write(bytes(), named: name)
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendString(_ string: String) {
        appendLittleEndian(UInt64(string.utf8.count))
        append(contentsOf: string.utf8)
    }

    mutating func padTo(_ alignment: Int) {
        while count % alignment != 0 { append(0) }
    }

    mutating func appendValue(_ value: GGUFValue) {
        switch value {
        case .uint8(let v): appendLittleEndian(v)
        case .int8(let v): appendLittleEndian(v)
        case .uint16(let v): appendLittleEndian(v)
        case .int16(let v): appendLittleEndian(v)
        case .uint32(let v): appendLittleEndian(v)
        case .int32(let v): appendLittleEndian(v)
        case .uint64(let v): appendLittleEndian(v)
        case .int64(let v): appendLittleEndian(v)
        case .float32(let v): appendLittleEndian(v.bitPattern)
        case .float64(let v): appendLittleEndian(v.bitPattern)
        case .bool(let v): append(v ? 1 : 0)
        case .string(let v): appendString(v)
        case .array(let elementType, let elements):
            appendLittleEndian(elementType.rawValue)
            appendLittleEndian(UInt64(elements.count))
            for element in elements { appendValue(element) }
        case .omittedArray:
            preconditionFailure("cannot write an omitted array")
        }
    }
}
