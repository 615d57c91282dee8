/// Builds the backend that serves a candidate, from the pool file's `kind`.
public enum BackendFactory {
    /// The backend for `candidate`, sending through `transport`, sharing `scheduler`'s slots and
    /// bounding responses by `policy`.
    public static func backend(
        for candidate: Candidate, transport: any HTTPTransport, scheduler: SlotScheduler, policy: CallPolicy = CallPolicy()
    ) -> any ModelBackend {
        let connection = ServerConnection(candidate: candidate, transport: transport, scheduler: scheduler, policy: policy)
        switch candidate.kind {
        case .llamaServer: return LlamaServerBackend(connection: connection)
        case .openAI: return OpenAICompatibleBackend(connection: connection, isVLLM: false)
        case .vllm: return OpenAICompatibleBackend(connection: connection, isVLLM: true)
        case .ollama: return OllamaBackend(connection: connection)
        }
    }
}
