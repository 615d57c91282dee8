import Foundation
import Testing

@testable import PanelKit

@Suite struct GGUFFileTests {
    private let scratch = ScratchDirectory()

    private func sampleWriter() -> GGUFWriter {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        writer.set("u8", .uint8(200))
        writer.set("i8", .int8(-5))
        writer.set("u16", .uint16(60_000))
        writer.set("i16", .int16(-30_000))
        writer.set("u32", .uint32(4_000_000_000))
        writer.set("i32", .int32(-2_000_000_000))
        writer.set("u64", .uint64(1 << 40))
        writer.set("i64", .int64(-(1 << 40)))
        writer.set("f32", .float32(0.25))
        writer.set("f64", .float64(-1.5))
        writer.set("flag", .bool(true))
        writer.set("words", .array(elementType: .string, elements: [.string("a"), .string("bc")]))
        writer.set("numbers", .array(elementType: .int32, elements: [.int32(1), .int32(-2), .int32(3)]))
        writer.addF32("first", dimensions: [3, 2], values: [1, 2, 3, 4, 5, 6])
        writer.addF32("second", dimensions: [5], values: [-1, 0.5, 0, 7, 1e-3])
        return writer
    }

    @Test func parsesHeaderMetadataAndTensorTable() throws {
        let path = try sampleWriter().write(in: scratch)
        let file = try GGUFFile(path: path)
        #expect(file.version == 3)
        #expect(file.alignment == 32)
        #expect(file.dataOffset % 32 == 0)
        #expect(file.metadataKeys.first == "general.architecture")
        #expect(file.metadata.count == 14)
        #expect(file["general.architecture"]?.stringValue == "llama")
        #expect(file["u8"] == .uint8(200))
        #expect(file["i8"]?.intValue == -5)
        #expect(file["u16"]?.intValue == 60_000)
        #expect(file["i16"]?.intValue == -30_000)
        #expect(file["u32"]?.intValue == 4_000_000_000)
        #expect(file["i32"]?.intValue == -2_000_000_000)
        #expect(file["u64"]?.intValue == 1 << 40)
        #expect(file["i64"]?.intValue == -(1 << 40))
        #expect(file["f32"]?.doubleValue == 0.25)
        #expect(file["f64"]?.doubleValue == -1.5)
        #expect(file["flag"]?.boolValue == true)
        #expect(file["words"]?.arrayValue?.compactMap(\.stringValue) == ["a", "bc"])
        #expect(file["numbers"]?.arrayValue?.compactMap(\.intValue) == [1, -2, 3])
        #expect(file.tensors.map(\.name) == ["first", "second"])
        let first = try #require(file.tensor(named: "first"))
        #expect(first.dimensions == [3, 2])
        #expect(first.type == .f32)
        #expect(first.elementCount == 6)
        #expect(first.byteCount == 24)
        #expect(first.offset == 0)
        #expect(file.tensor(named: "second")?.offset == 32)
    }

    @Test func roundTripsF32Values() throws {
        let file = try GGUFFile(path: try sampleWriter().write(in: scratch))
        #expect(try file.readTensor(named: "first") == [1, 2, 3, 4, 5, 6])
        #expect(try file.readTensor(named: "second") == [-1, 0.5, 0, 7, 1e-3])
    }

    @Test func honoursCustomAlignment() throws {
        var writer = sampleWriter()
        writer.alignment = 64
        writer.set("general.alignment", .uint32(64))
        let file = try GGUFFile(path: try writer.write(in: scratch))
        #expect(file.alignment == 64)
        #expect(file.dataOffset % 64 == 0)
        #expect(file.tensor(named: "second")?.offset == 64)
        #expect(try file.readTensor(named: "second") == [-1, 0.5, 0, 7, 1e-3])
    }

    @Test func rejectsNonPowerOfTwoAlignment() throws {
        var writer = sampleWriter()
        writer.set("general.alignment", .uint32(24))
        let path = try writer.write(in: scratch)
        do {
            _ = try GGUFFile(path: path)
            Issue.record("alignment 24 accepted")
        } catch {
            guard case .malformed(_, let reason) = error else { Issue.record("unexpected \(error)"); return }
            #expect(reason.contains("power-of-two"))
        }
    }

    @Test func acceptsVersionTwo() throws {
        var writer = sampleWriter()
        writer.version = 2
        #expect(try GGUFFile(path: try writer.write(in: scratch)).version == 2)
    }

    @Test func decodesF16KnownValues() throws {
        var writer = GGUFWriter()
        let bits: [UInt16] = [0x3C00, 0xC000, 0x3555, 0x7BFF, 0x0001, 0x0000, 0x8000, 0x7C00]
        var bytes: [UInt8] = []
        for value in bits { bytes.appendLittleEndian(value) }
        writer.addRaw("half", dimensions: [8], type: 1, bytes: bytes)
        writer.addF16("converted", dimensions: [3], values: [0.5, -0.125, 1024])
        let file = try GGUFFile(path: try writer.write(in: scratch))
        let values = try file.readTensor(named: "half")
        #expect(values[0] == 1)
        #expect(values[1] == -2)
        #expect(values[2] == 0.333_251_95)  // 0x3555 = 1365/4096
        #expect(values[3] == 65_504)
        #expect(values[4] == Float(sign: .plus, exponent: -24, significand: 1))
        #expect(values[5] == 0 && values[5].sign == .plus)
        #expect(values[6] == 0 && values[6].sign == .minus)
        #expect(values[7] == .infinity)
        #expect(try file.readTensor(named: "converted") == [0.5, -0.125, 1024])
    }

    @Test func decodesBF16KnownValues() throws {
        var writer = GGUFWriter()
        let bits: [UInt16] = [0x3F80, 0xC040, 0x4049, 0x0000, 0x3E20]
        var bytes: [UInt8] = []
        for value in bits { bytes.appendLittleEndian(value) }
        writer.addRaw("brain", dimensions: [5], type: 30, bytes: bytes)
        let file = try GGUFFile(path: try writer.write(in: scratch))
        #expect(file.tensor(named: "brain")?.type == .bf16)
        #expect(try file.readTensor(named: "brain") == [1, -3, 3.140_625, 0, 0.156_25])
    }

    @Test func decodesQ8_0Blocks() throws {
        // Two blocks: scale 0.5 (f16 0x3800) and scale -2 (f16 0xC000), each followed by 32 signed bytes.
        var bytes: [UInt8] = []
        bytes.appendLittleEndian(UInt16(0x3800))
        let firstQuants: [Int8] = (0..<32).map { Int8($0 - 16) }
        bytes.append(contentsOf: firstQuants.map { UInt8(bitPattern: $0) })
        bytes.appendLittleEndian(UInt16(0xC000))
        let secondQuants: [Int8] = (0..<32).map { $0 == 0 ? -128 : ($0 == 1 ? 127 : Int8($0)) }
        bytes.append(contentsOf: secondQuants.map { UInt8(bitPattern: $0) })
        var writer = GGUFWriter()
        writer.addRaw("quantised", dimensions: [32, 2], type: 8, bytes: bytes)
        let file = try GGUFFile(path: try writer.write(in: scratch))
        #expect(file.tensor(named: "quantised")?.byteCount == 68)
        let values = try file.readTensor(named: "quantised")
        #expect(values.count == 64)
        #expect(Array(values[0..<32]) == firstQuants.map { 0.5 * Float($0) })
        #expect(values[0] == -8)
        #expect(values[32] == 256)
        #expect(values[33] == -254)
        #expect(values[63] == -62)
    }

    @Test func unsupportedTensorTypeNamesTheTensor() throws {
        var writer = GGUFWriter()
        writer.addRaw("packed", dimensions: [32], type: 2, bytes: [UInt8](repeating: 0, count: 18))  // q4_0
        let path = try writer.write(in: scratch)
        let file = try GGUFFile(path: path)
        #expect(file.tensor(named: "packed")?.type.name == "q4_0")
        #expect(throws: GGUFError.unsupportedTensorType(path: path, tensor: "packed", type: GGMLType(rawValue: 2))) {
            try file.readTensor(named: "packed")
        }
        let message = GGUFError.unsupportedTensorType(path: path, tensor: "packed", type: GGMLType(rawValue: 2)).description
        #expect(message.contains("'packed'") && message.contains("q4_0") && message.contains(path))
    }

    @Test func unknownTensorTypeOpensButCannotBeRead() throws {
        var writer = GGUFWriter()
        writer.addRaw("future", dimensions: [4], type: 200, bytes: [1, 2, 3, 4])
        let file = try GGUFFile(path: try writer.write(in: scratch))
        #expect(file.tensor(named: "future")?.byteCount == nil)
        #expect(file.tensor(named: "future")?.type.name == "type 200")
        #expect(throws: GGUFError.self) { try file.readTensor(named: "future") }
    }

    @Test func missingTensorIsReported() throws {
        let path = try sampleWriter().write(in: scratch)
        let file = try GGUFFile(path: path)
        #expect(throws: GGUFError.tensorNotFound(path: path, name: "nope")) { try file.readTensor(named: "nope") }
    }

    @Test func rejectsBadMagic() throws {
        var bytes = sampleWriter().bytes()
        bytes.replaceSubrange(0..<4, with: Array("GGML".utf8))
        let path = try scratch.write(bytes, named: "bad.gguf")
        #expect(throws: GGUFError.badMagic(path: path, found: Array("GGML".utf8))) { try GGUFFile(path: path) }
        let empty = try scratch.write([], named: "empty.gguf")
        #expect(throws: GGUFError.badMagic(path: empty, found: [])) { try GGUFFile(path: empty) }
        #expect(GGUFError.badMagic(path: empty, found: []).description.contains("empty"))
    }

    @Test func rejectsUnsupportedVersionsAndBigEndian() throws {
        var writer = sampleWriter()
        writer.version = 1
        let old = try writer.write(in: scratch)
        #expect(throws: GGUFError.unsupportedVersion(path: old, version: 1)) { try GGUFFile(path: old) }
        writer.version = 3 << 24  // a big-endian file's version read little-endian
        let swapped = try writer.write(in: scratch)
        #expect(throws: GGUFError.bigEndian(path: swapped)) { try GGUFFile(path: swapped) }
    }

    @Test func truncatedHeaderIsReportedAtEveryCut() throws {
        let bytes = sampleWriter().bytes()
        let file = try GGUFFile(path: try scratch.write(bytes, named: "whole.gguf"))
        // Cut anywhere inside the header (after the magic): always a truncation error, never a crash or a wrong parse.
        for cut in stride(from: 5, to: Int(file.dataOffset) - 1, by: 7) {
            let path = try scratch.write(Array(bytes[0..<cut]), named: "cut\(cut).gguf")
            do {
                _ = try GGUFFile(path: path)
                Issue.record("cut at \(cut) parsed")
            } catch {
                guard case .truncated(let errorPath, _, _) = error else {
                    Issue.record("cut at \(cut): \(error)")
                    continue
                }
                #expect(errorPath == path)
            }
        }
    }

    @Test func truncatedDataNamesTheTensor() throws {
        let bytes = sampleWriter().bytes()
        let path = try scratch.write(Array(bytes.dropLast(40)), named: "short.gguf")
        do {
            _ = try GGUFFile(path: path)
            Issue.record("a file missing tensor data parsed")
        } catch {
            guard case .truncated(_, _, let reading) = error else { Issue.record("\(error)"); return }
            #expect(reading == "data of tensor 'second'")
            #expect(error.description.contains(path))
            #expect(error.description.contains("truncated"))
        }
    }

    @Test func skipsLongArraysWhenAsked() throws {
        var writer = GGUFWriter()
        writer.set("tokens", .array(elementType: .string, elements: (0..<10).map { .string("t\($0)") }))
        writer.set("scores", .array(elementType: .float32, elements: (0..<10).map { .float32(Float($0)) }))
        writer.set("after", .string("still read"))
        let file = try GGUFFile(path: try writer.write(in: scratch), maxArrayLength: 5)
        #expect(file["tokens"] == .omittedArray(elementType: .string, count: 10))
        #expect(file["scores"] == .omittedArray(elementType: .float32, count: 10))
        #expect(file["after"]?.stringValue == "still read")
    }

    @Test func rejectsDuplicateKeys() throws {
        var writer = GGUFWriter()
        writer.set("name", .string("a"))
        writer.set("name", .string("b"))
        let path = try writer.write(in: scratch)
        #expect(throws: GGUFError.malformed(path: path, reason: "duplicate metadata key 'name'")) {
            try GGUFFile(path: path)
        }
    }

    @Test func missingFileCannotBeOpened() {
        #expect(throws: GGUFError.self) { try GGUFFile(path: "/nonexistent/panel/adapter.gguf") }
        do {
            _ = try GGUFFile(path: "/nonexistent/panel/adapter.gguf")
        } catch {
            #expect(error.description.hasPrefix("cannot open /nonexistent/panel/adapter.gguf: no such file"))
        }
    }
}
