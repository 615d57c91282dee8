import Testing

@testable import PanelKit

@Suite struct LoRAAdapterTests {
    private let scratch = ScratchDirectory()

    @Test func exposesPairsAlphaRankAndArchitecture() throws {
        let writer = GGUFWriter.adapter(
            alpha: 32,
            factors: [
                ("blk.1.attn_v.weight", [Float](repeating: 1, count: 8), [4, 2], [Float](repeating: 2, count: 6), [2, 3]),
                ("blk.0.attn_q.weight", [Float](repeating: 1, count: 8), [4, 2], [Float](repeating: 2, count: 8), [2, 4]),
            ])
        let adapter = try LoRAAdapter(path: try writer.write(in: scratch))
        #expect(adapter.pairs.map(\.base) == ["blk.0.attn_q.weight", "blk.1.attn_v.weight"])
        #expect(adapter.pairs[0].a.name == "blk.0.attn_q.weight.lora_a")
        #expect(adapter.pairs[0].b.name == "blk.0.attn_q.weight.lora_b")
        #expect(adapter.rank == 2)
        #expect(adapter.alpha == 32)
        #expect(adapter.architecture == "llama")
        #expect(adapter.otherTensors.isEmpty)
        #expect(adapter.factorNames.count == 4)
    }

    @Test func rejectsAFullModel() throws {
        let writer = GGUFWriter.adapter(generalType: "model", factors: [])
        let path = try writer.write(in: scratch)
        #expect(throws: LoRAError.notAnAdapter(path: path, found: "model")) { try LoRAAdapter(path: path) }
        #expect(LoRAError.notAnAdapter(path: path, found: "model").description.contains("expected 'adapter'"))
    }

    @Test func rejectsNonLoRAAdapters() throws {
        var writer = GGUFWriter()
        writer.set("general.type", .string("adapter"))
        writer.set("adapter.type", .string("control_vector"))
        let path = try writer.write(in: scratch)
        #expect(throws: LoRAError.notLoRA(path: path, found: "control_vector")) { try LoRAAdapter(path: path) }
    }

    @Test func rejectsAnUnpairedFactor() throws {
        var writer = GGUFWriter.adapter(factors: [])
        writer.addF32("blk.0.attn_q.weight.lora_a", dimensions: [2, 1], values: [1, 2])
        let path = try writer.write(in: scratch)
        #expect(throws: LoRAError.unpairedTensor(path: path, name: "blk.0.attn_q.weight.lora_a")) {
            try LoRAAdapter(path: path)
        }
    }

    @Test func rejectsFactorsWhoseShapesDoNotMultiply() throws {
        let writer = GGUFWriter.adapter(factors: [("blk.0.attn_q.weight", [1, 2, 3, 4], [2, 2], [1, 2, 3], [3, 1])])
        let path = try writer.write(in: scratch)
        #expect(throws: LoRAError.shapeMismatch(path: path, base: "blk.0.attn_q.weight", a: [2, 2], b: [3, 1])) {
            try LoRAAdapter(path: path)
        }
    }

    @Test func wrapsFileErrors() {
        #expect(throws: LoRAError.self) { try LoRAAdapter(path: "/nonexistent/adapter.gguf") }
    }
}
