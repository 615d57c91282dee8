/// A LoRA adapter in llama.cpp's GGUF format: a validated view of its metadata and `lora_a`/`lora_b` tensor pairs.
///
/// Checks what llama.cpp's loader checks (`general.type == "adapter"`, `adapter.type == "lora"`, every factor
/// paired, `lora_a` ne[1] = `lora_b` ne[0]), so a file accepted here will not be rejected by llama-server for
/// structural reasons. Whether it matches a base model's architecture and shapes is the server's check.
/// Tensors that are not LoRA factors (llama.cpp skips `*_norm.weight`) are listed in `otherTensors`.
public struct LoRAAdapter: Sendable, Hashable {
    /// The underlying file.
    public let file: GGUFFile
    /// The LoRA pairs, sorted by base tensor name.
    public let pairs: [LoRATensorPair]
    /// Names of tensors that are not LoRA factors.
    public let otherTensors: [String]

    /// Validates `file` as a LoRA adapter.
    public init(file: GGUFFile) throws(LoRAError) {
        let generalType = file["general.type"]?.stringValue
        guard generalType == "adapter" else { throw .notAnAdapter(path: file.path, found: generalType) }
        let adapterType = file["adapter.type"]?.stringValue
        guard adapterType == "lora" else { throw .notLoRA(path: file.path, found: adapterType) }

        var aFactors: [String: GGUFTensorInfo] = [:]
        var bFactors: [String: GGUFTensorInfo] = [:]
        var others: [String] = []
        for tensor in file.tensors {
            if tensor.name.hasSuffix(".lora_a") {
                aFactors[String(tensor.name.dropLast(7))] = tensor
            } else if tensor.name.hasSuffix(".lora_b") {
                bFactors[String(tensor.name.dropLast(7))] = tensor
            } else {
                others.append(tensor.name)
            }
        }
        var pairs: [LoRATensorPair] = []
        for base in Set(aFactors.keys).union(bFactors.keys).sorted() {
            guard let a = aFactors[base] else { throw .unpairedTensor(path: file.path, name: base + ".lora_b") }
            guard let b = bFactors[base] else { throw .unpairedTensor(path: file.path, name: base + ".lora_a") }
            // llama.cpp stores token_embd's factors transposed, so the product check does not apply to it.
            let isTokenEmbedding = base.hasPrefix("token_embd")
            guard isTokenEmbedding || (a.dimensions.count >= 2 && a.dimensions[1] == b.dimensions[0]) else {
                throw .shapeMismatch(path: file.path, base: base, a: a.dimensions, b: b.dimensions)
            }
            pairs.append(LoRATensorPair(base: base, a: a, b: b))
        }
        self.file = file
        self.pairs = pairs
        self.otherTensors = others
    }

    /// Opens and validates the adapter at `path`.
    public init(path: String) throws(LoRAError) {
        let file: GGUFFile
        do {
            file = try GGUFFile(path: path)
        } catch {
            throw .file(error)
        }
        try self.init(file: file)
    }

    /// The path the adapter was opened from.
    public var path: String { file.path }

    /// `general.architecture`, which must match the base model's for llama.cpp to load the adapter.
    public var architecture: String? { file["general.architecture"]?.stringValue }

    /// `adapter.lora.alpha`, or nil if absent (llama.cpp then applies the user's scale without alpha/rank).
    public var alpha: Float? { file["adapter.lora.alpha"]?.doubleValue.map(Float.init) }

    /// The rank shared by all pairs, or nil when there are no pairs or their ranks differ (see each pair's `rank`).
    public var rank: Int? {
        guard let first = pairs.first?.rank, pairs.allSatisfy({ $0.rank == first }) else { return nil }
        return first
    }

    /// The names of every LoRA factor tensor (`….lora_a` and `….lora_b`), sorted.
    public var factorNames: [String] {
        pairs.flatMap { [$0.a.name, $0.b.name] }
    }
}
