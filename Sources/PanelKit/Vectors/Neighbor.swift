/// One result of a nearest-neighbour search: which stored vector, and how similar it is to the query.
public struct Neighbor: Sendable, Hashable, Codable {
    /// The position of the vector among those searched.
    public var index: Int
    /// Its cosine similarity to the query, in [−1, 1].
    public var similarity: Float

    /// Creates a neighbour.
    public init(index: Int, similarity: Float) {
        self.index = index
        self.similarity = similarity
    }
}
