extension TextVectorizer: Codable {
    private enum CodingKeys: String, CodingKey {
        case recipeVersion, dimensions, features, idf, documentCount
    }

    /// Decodes stored plain data, rejecting inconsistent data rather than producing vectors of the wrong shape.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let version = try container.decode(Int.self, forKey: .recipeVersion)
        let dimensions = try container.decode(Int.self, forKey: .dimensions)
        let features = try container.decode(Features.self, forKey: .features)
        let idf = try container.decode([Float].self, forKey: .idf)
        let documentCount = try container.decode(Int.self, forKey: .documentCount)
        guard
            let restored = TextVectorizer(
                recipeVersion: version, dimensions: dimensions, features: features, idf: idf,
                documentCount: documentCount)
        else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "inconsistent text vectorizer: recipe version \(version) (this build knows \(Self.recipeVersion)), "
                        + "\(dimensions) dimensions, \(idf.count) idf values, \(documentCount) documents"))
        }
        self = restored
    }

    /// Encodes the plain data needed to vectorise new texts identically.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(recipeVersion, forKey: .recipeVersion)
        try container.encode(dimensions, forKey: .dimensions)
        try container.encode(features, forKey: .features)
        try container.encode(idf, forKey: .idf)
        try container.encode(documentCount, forKey: .documentCount)
    }
}
