#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns text into fixed-length, L2-normalised TF-IDF vectors by hashing word and character n-grams into buckets,
/// entirely in-process (no embedding model or server needed).
///
/// Used to find which stored K-shot questions a new question resembles. The recipe:
/// - **Normalisation**: lowercase, then split on every character that is neither a letter nor a number. Numbers are
///   tokens like words ("72" matters when answers are numbers), and a `.` between two digits stays inside the token so
///   "3.5" is one token.
/// - **Features** (each optional, all on by default): word unigrams, word bigrams, and character trigrams of each word
///   padded with a boundary marker (" ab", "abc", "bc "), which match inflections and typos that whole words miss.
///   Trigrams stay inside words, so they do not duplicate the bigrams' job of capturing word order.
/// - **Hashing**: FNV-1a 64-bit over a family tag byte plus the feature's UTF-8 bytes, modulo `dimensions`. Stable
///   across processes and releases, unlike Swift's randomly seeded `Hasher`. Collisions just merge features; at 4096
///   buckets and K-shot-sized corpora they are rare enough not to matter for ranking.
/// - **Weighting**: sublinear term frequency `1 + ln(count)` (repeated words saturate) times smoothed inverse document
///   frequency `ln((1 + N) / (1 + df)) + 1` (as in scikit-learn), with `N` documents and `df` of them containing the
///   bucket. Before `fit`, every idf is 1. Buckets unseen in fitting get the largest idf, `ln(1 + N) + 1`.
/// - **Normalisation**: the weights are divided by their Euclidean length, summed in double precision in bucket
///   order, so the same text gives bit-identical vectors in every run. A text with no tokens gives the zero vector.
///
/// The value is plain data (`dimensions`, `features`, `idf`, `documentCount`) and `Codable`: store it next to the
/// K-shot vectors, load it later, and vectorise new questions into the same space.
public struct TextVectorizer: Sendable, Hashable {
    /// Which n-gram families become features.
    public struct Features: OptionSet, Sendable, Hashable, Codable {
        /// The bit mask.
        public let rawValue: Int

        /// Creates a set from its bit mask.
        public init(rawValue: Int) {
            self.rawValue = rawValue
        }

        /// Single words.
        public static let wordUnigrams = Features(rawValue: 1 << 0)
        /// Adjacent word pairs.
        public static let wordBigrams = Features(rawValue: 1 << 1)
        /// Three-character windows of each word padded with boundary markers.
        public static let characterTrigrams = Features(rawValue: 1 << 2)
        /// All families, the default.
        public static let all: Features = [.wordUnigrams, .wordBigrams, .characterTrigrams]
    }

    /// The version of the tokenisation and hashing recipe; stored so vectors made by a later, different recipe are
    /// never silently compared with these.
    public static let recipeVersion = 1

    /// The recipe version this vectorizer was made with.
    public let recipeVersion: Int
    /// The length of every vector.
    public let dimensions: Int
    /// The n-gram families in use.
    public let features: Features
    /// The inverse document frequency of each bucket; all 1 until `fit` is called.
    public private(set) var idf: [Float]
    /// How many documents the idf was fitted on; 0 if never fitted.
    public private(set) var documentCount: Int

    /// Creates an unfitted vectorizer with `dimensions` buckets (at least 1).
    public init(dimensions: Int = 4096, features: Features = .all) {
        precondition(dimensions > 0, "a vectorizer needs at least one dimension")
        self.recipeVersion = Self.recipeVersion
        self.dimensions = dimensions
        self.features = features
        self.idf = [Float](repeating: 1, count: dimensions)
        self.documentCount = 0
    }

    /// Restores a fitted vectorizer from stored plain data, or returns nil if the data is inconsistent
    /// (wrong idf length, a non-positive dimension, negative count, or a recipe version this build does not know).
    public init?(
        recipeVersion: Int = TextVectorizer.recipeVersion, dimensions: Int, features: Features, idf: [Float],
        documentCount: Int
    ) {
        guard recipeVersion == Self.recipeVersion, dimensions > 0, idf.count == dimensions, documentCount >= 0,
            idf.allSatisfy({ $0.isFinite && $0 >= 0 })
        else { return nil }
        self.recipeVersion = recipeVersion
        self.dimensions = dimensions
        self.features = features
        self.idf = idf
        self.documentCount = documentCount
    }

    /// Whether `fit` has been called with at least one document.
    public var isFitted: Bool { documentCount > 0 }

    /// Fits the inverse document frequencies on `documents`, replacing any earlier fit.
    public mutating func fit(_ documents: [String]) {
        var documentFrequency = [Int](repeating: 0, count: dimensions)
        for document in documents {
            for bucket in bucketCounts(for: document).keys {
                documentFrequency[bucket] += 1
            }
        }
        let n = Double(documents.count)
        idf = documentFrequency.map { Float(log((1 + n) / (1 + Double($0))) + 1) }
        documentCount = documents.count
    }

    /// A copy fitted on `documents`.
    public func fitted(to documents: [String]) -> TextVectorizer {
        var copy = self
        copy.fit(documents)
        return copy
    }

    /// The unit-length TF-IDF vector of `text`, or the zero vector if it has no tokens.
    public func vector(for text: String) -> [Float] {
        let counts = bucketCounts(for: text)
        guard !counts.isEmpty else { return [Float](repeating: 0, count: dimensions) }
        var weights = [Double](repeating: 0, count: dimensions)
        for (bucket, count) in counts {
            weights[bucket] = (1 + log(Double(count))) * Double(idf[bucket])
        }
        var squares = 0.0
        for weight in weights {
            squares += weight * weight
        }
        guard squares > 0 else { return [Float](repeating: 0, count: dimensions) }
        let scale = 1 / squares.squareRoot()
        return weights.map { Float($0 * scale) }
    }

    /// The vectors of `texts`, in order.
    public func vectors(for texts: [String]) -> [[Float]] {
        texts.map { vector(for: $0) }
    }

    /// The normalised tokens of `text`: lowercased runs of letters and numbers, with `.` kept between digits.
    public static func tokens(in text: String) -> [String] {
        let characters = Array(text.lowercased())
        var tokens: [String] = []
        var current = ""
        for (index, character) in characters.enumerated() {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if character == ".", let last = current.last, last.isNumber, index + 1 < characters.count,
                characters[index + 1].isNumber
            {
                current.append(character)
            } else if !current.isEmpty {
                tokens.append(current)
                current = ""
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    /// How often each bucket is hit by the features of `text`. The dictionary's order is never observed, so its
    /// per-process randomness cannot leak into results.
    func bucketCounts(for text: String) -> [Int: Int] {
        let words = Self.tokens(in: text)
        let tokens = words.map { Array($0.utf8) }
        var counts: [Int: Int] = [:]
        func add(_ hasher: FNV1a) {
            counts[Int(hasher.value % UInt64(dimensions)), default: 0] += 1
        }
        for (index, token) in tokens.enumerated() {
            if features.contains(.wordUnigrams) {
                var hasher = FNV1a()
                hasher.combine(FamilyTag.unigram)
                hasher.combine(token)
                add(hasher)
            }
            if features.contains(.wordBigrams), index + 1 < tokens.count {
                var hasher = FNV1a()
                hasher.combine(FamilyTag.bigram)
                hasher.combine(token)
                hasher.combine(0x20)
                hasher.combine(tokens[index + 1])
                add(hasher)
            }
        }
        if features.contains(.characterTrigrams) {
            for token in words {
                // Scalars, not bytes, so a trigram never splits a multi-byte character.
                let boundary: Unicode.Scalar = " "
                let scalars = [boundary] + Array(token.unicodeScalars) + [boundary]
                for start in 0...(scalars.count - 3) {
                    var hasher = FNV1a()
                    hasher.combine(FamilyTag.trigram)
                    for scalar in scalars[start..<start + 3] {
                        hasher.combine(String(scalar).utf8)
                    }
                    add(hasher)
                }
            }
        }
        return counts
    }

    /// Bytes prefixed to each feature so a word and a trigram with the same letters hash apart.
    private enum FamilyTag {
        static let unigram: UInt8 = 1
        static let bigram: UInt8 = 2
        static let trigram: UInt8 = 3
    }
}
