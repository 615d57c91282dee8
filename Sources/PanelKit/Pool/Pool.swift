/// A set of candidate models and experts, as described by a pool file.
public struct Pool: Sendable, Hashable {
    /// The pool file's path as given.
    public var path: String
    /// A SHA-256 fingerprint of the pool file's bytes.
    public var fingerprint: String
    /// The candidates in file order.
    public var candidates: [Candidate]
    /// An embeddings endpoint for vectorising questions and outputs, if the pool names one.
    public var embeddings: EmbeddingsEndpoint?
    /// Cores the launched local servers share; `nil` when no candidate is launched locally.
    public var cores: Int?

    /// Creates a pool.
    public init(
        path: String, fingerprint: String, candidates: [Candidate], embeddings: EmbeddingsEndpoint? = nil,
        cores: Int? = nil
    ) {
        self.path = path
        self.fingerprint = fingerprint
        self.candidates = candidates
        self.embeddings = embeddings
        self.cores = cores
    }

    /// The candidate with `id`.
    public func candidate(_ id: String) -> Candidate? { candidates.first { $0.id == id } }
}

/// A server that turns texts into embedding vectors.
public struct EmbeddingsEndpoint: Sendable, Hashable {
    /// The server's protocol family.
    public var kind: BackendKind
    /// The base URL.
    public var url: String
    /// The embedding model's name.
    public var model: String
    /// The environment variable holding the API key, if any.
    public var apiKeyVariable: String?

    /// Creates an endpoint.
    public init(kind: BackendKind, url: String, model: String, apiKeyVariable: String? = nil) {
        self.kind = kind
        self.url = url
        self.model = model
        self.apiKeyVariable = apiKeyVariable
    }
}
