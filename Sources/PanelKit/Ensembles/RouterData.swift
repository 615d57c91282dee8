/// What the MoE router knows: each K-shot item's vector and which experts were right on it.
public struct RouterData: Sendable, Equatable {
    /// How questions become vectors.
    public enum Vectors: Sendable, Equatable {
        /// In-process hashed n-gram TF-IDF, fitted on the K-shot questions.
        case tfidf(TextVectorizer)
        /// A pool's embeddings endpoint.
        case embeddings(EmbeddingsEndpoint)
    }

    /// One K-shot item as the router sees it.
    public struct Item: Sendable, Equatable {
        /// The item's id.
        public var id: String
        /// The item's answer type (routing also tells a mixed ensemble what kind of question it got).
        public var type: TaskType
        /// The question's start, for traces.
        public var snippet: String
        /// The question's vector (unit length).
        public var vector: [Float]
        /// Which experts answered it correctly.
        public var correct: [String: Bool]

        /// Creates an item.
        public init(id: String, type: TaskType, snippet: String, vector: [Float], correct: [String: Bool]) {
            self.id = id
            self.type = type
            self.snippet = snippet
            self.vector = vector
            self.correct = correct
        }
    }

    /// How questions become vectors.
    public var vectors: Vectors
    /// The K-shot items.
    public var items: [Item]

    /// Creates router data.
    public init(vectors: Vectors, items: [Item]) {
        self.vectors = vectors
        self.items = items
    }
}
