/// One model or LoRA expert of a pool: where it is served and how to ask it.
public struct Candidate: Sendable, Hashable, Identifiable {
    /// A short unique name used in tables, ensemble files and the store.
    public var id: String
    /// The server's protocol family.
    public var kind: BackendKind
    /// Base URLs of the replicas serving this candidate (at least one), without a trailing slash.
    public var urls: [String]
    /// The model name sent to the server (ignored by a single-model llama-server).
    public var model: String
    /// The LoRA adapter applied on top of the served base model, if any.
    public var adapter: AdapterRef?
    /// How the candidate is prompted.
    public var promptStyle: PromptStyle
    /// A system prompt for chat-style prompting.
    public var systemPrompt: String?
    /// Sampling defaults for this candidate.
    public var sampling: SamplingDefaults
    /// The environment variable holding the API key, if the endpoint needs one.
    public var apiKeyVariable: String?
    /// Free-form labels ("math", "code", …).
    public var tags: [String]
    /// How `panel pool up` starts a local llama-server for this candidate, if it does.
    public var launch: LaunchSpec?
    /// The line of the candidate in its pool file.
    public var line: Int

    /// Creates a candidate.
    public init(
        id: String, kind: BackendKind, urls: [String], model: String, adapter: AdapterRef? = nil,
        promptStyle: PromptStyle = .chat, systemPrompt: String? = nil, sampling: SamplingDefaults = .init(),
        apiKeyVariable: String? = nil, tags: [String] = [], launch: LaunchSpec? = nil, line: Int = 0
    ) {
        self.id = id
        self.kind = kind
        self.urls = urls
        self.model = model
        self.adapter = adapter
        self.promptStyle = promptStyle
        self.systemPrompt = systemPrompt
        self.sampling = sampling
        self.apiKeyVariable = apiKeyVariable
        self.tags = tags
        self.launch = launch
        self.line = line
    }
}

/// A LoRA adapter applied per request.
public struct AdapterRef: Sendable, Hashable {
    /// The adapter's name: for llama-server matched against the loaded adapters' file names,
    /// for vLLM and Ollama the model name under which the adapter is served.
    public var name: String
    /// The adapter's index on a llama-server (its position in the `--lora` flags), when known.
    public var id: Int?
    /// The scale applied to the adapter.
    public var scale: Double
    /// A local GGUF file of the adapter, used for parameter diversity and by `panel pool up`.
    public var path: String?

    /// Creates an adapter reference.
    public init(name: String, id: Int? = nil, scale: Double = 1.0, path: String? = nil) {
        self.name = name
        self.id = id
        self.scale = scale
        self.path = path
    }
}

/// How to start a llama-server for a candidate on this machine.
public struct LaunchSpec: Sendable, Hashable {
    /// The model GGUF, relative to the pool file's project root or absolute.
    public var modelFile: String
    /// LoRA adapter GGUFs to load (their order gives their ids).
    public var loraFiles: [String]
    /// Total context tokens (`-c`), shared by the slots.
    public var contextSize: Int
    /// Parallel slots (`-np`).
    public var slots: Int
    /// Threads (`-t`); the sum over servers should not exceed the cores.
    public var threads: Int
    /// Further flags passed verbatim.
    public var extraArguments: [String]

    /// Creates a launch spec.
    public init(
        modelFile: String, loraFiles: [String] = [], contextSize: Int = 8192, slots: Int = 2, threads: Int = 1,
        extraArguments: [String] = []
    ) {
        self.modelFile = modelFile
        self.loraFiles = loraFiles
        self.contextSize = contextSize
        self.slots = slots
        self.threads = threads
        self.extraArguments = extraArguments
    }
}
