/// A server that serves one candidate: the small seam between Panel's logic and the wire.
///
/// Every call is an independent, stateless request: a sample never sees another. Implementations
/// exist for llama-server, OpenAI-compatible endpoints, vLLM and Ollama; tests script their own.
public protocol ModelBackend: Sendable {
    /// Checks reachability and finds out what the server can do. Never throws: failures are in the result.
    func probe() async -> ProbeResult

    /// Generates one answer, calling `onText` with each piece of text as it streams in.
    func generate(_ request: GenerationRequest, onText: @escaping @Sendable (String) -> Void) async throws -> Generation

    /// Scores `continuation` as the model's answer to `prompt`, one log-probability per token.
    func scoreContinuation(_ continuation: String, after prompt: Prompt) async throws -> ContinuationScore

    /// Turns texts into embedding vectors (requires an embeddings route).
    func embed(_ texts: [String]) async throws -> [[Float]]
}
