/// Why a LoRA adapter could not be loaded or compared.
public enum LoRAError: Error, Equatable, CustomStringConvertible {
    /// The GGUF file itself could not be read.
    case file(GGUFError)
    /// `general.type` is not `adapter` (e.g. a full model was given); `found` is its value, if any.
    case notAnAdapter(path: String, found: String?)
    /// `adapter.type` is not `lora`; `found` is its value, if any.
    case notLoRA(path: String, found: String?)
    /// A `.lora_a` tensor has no `.lora_b` partner or the reverse; `name` is the tensor that is present.
    case unpairedTensor(path: String, name: String)
    /// A pair's shapes do not multiply (`lora_a` ne[1] must equal `lora_b` ne[0], the rank).
    case shapeMismatch(path: String, base: String, a: [Int], b: [Int])
    /// Two adapters have no LoRA matrix of the same name and shape, so their weights cannot be compared.
    case noSharedMatrices(first: String, second: String)

    /// A one-line, lowercase message naming the file.
    public var description: String {
        switch self {
        case .file(let error):
            error.description
        case .notAnAdapter(let path, let found):
            "\(path) is not an adapter: general.type is \(found.map { "'\($0)'" } ?? "missing"), expected 'adapter'"
        case .notLoRA(let path, let found):
            "\(path) is not a LoRA adapter: adapter.type is \(found.map { "'\($0)'" } ?? "missing"), expected 'lora'"
        case .unpairedTensor(let path, let name):
            "\(path): tensor '\(name)' has no matching \(name.hasSuffix(".lora_a") ? "lora_b" : "lora_a") tensor"
        case .shapeMismatch(let path, let base, let a, let b):
            "\(path): lora_a \(a) and lora_b \(b) of '\(base)' have incompatible shapes (lora_a ne[1] must equal lora_b ne[0])"
        case .noSharedMatrices(let first, let second):
            "\(first) and \(second) share no LoRA matrix of the same name and shape (different target modules or ranks?)"
        }
    }
}
