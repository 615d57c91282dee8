/// The protocol family a candidate's server speaks.
public enum BackendKind: String, Sendable, CaseIterable, Codable {
    /// llama.cpp's `llama-server` (native and OpenAI-compatible routes, forced-decoding scoring, per-request LoRA).
    case llamaServer = "llama-server"
    /// Any OpenAI-compatible endpoint (OpenAI, LM Studio, vLLM without its extras).
    case openAI = "openai"
    /// vLLM: OpenAI-compatible plus `prompt_logprobs` scoring, `/tokenize`, and adapters addressed as models.
    case vllm
    /// Ollama's native API (`/api/chat`, `/api/generate`, NDJSON streaming).
    case ollama
}
