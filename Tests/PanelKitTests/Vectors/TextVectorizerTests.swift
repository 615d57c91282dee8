import Foundation
import Testing

@testable import PanelKit

@Suite struct TextVectorizerTests {
    private func bucket(tag: UInt8, _ feature: String, dimensions: Int) -> Int {
        var hasher = FNV1a()
        hasher.combine(tag)
        hasher.combine(feature.utf8)
        return Int(hasher.value % UInt64(dimensions))
    }

    private func length(_ vector: [Float]) -> Double {
        vector.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
    }

    @Test func tokenisesLowercaseAlphanumericRunsKeepingNumbers() {
        #expect(TextVectorizer.tokens(in: "The answer is 72, not 3.5!") == ["the", "answer", "is", "72", "not", "3.5"])
        #expect(TextVectorizer.tokens(in: "End. 4.x ... x.5 e-mail") == ["end", "4", "x", "x", "5", "e", "mail"])
        #expect(TextVectorizer.tokens(in: "Ünïcode ÇA 東京") == ["ünïcode", "ça", "東京"])
        #expect(TextVectorizer.tokens(in: "  ?!  ").isEmpty)
    }

    @Test func bucketsAreStableAcrossRuns() {
        // Golden values computed independently (Python FNV-1a): a change here would invalidate stored vectors.
        let counts = TextVectorizer(dimensions: 4096).bucketCounts(for: "72")
        #expect(counts[905] == 1)  // unigram "72"
        #expect(counts[2419] == 1)  // trigram " 72"
        #expect(bucket(tag: 1, "answer", dimensions: 4096) == 398)
        #expect(bucket(tag: 2, "the answer", dimensions: 4096) == 2534)
    }

    @Test func unfittedVectorIsNormalisedSublinearTermFrequency() {
        let dimensions = 1 << 20
        let vectorizer = TextVectorizer(dimensions: dimensions, features: .wordUnigrams)
        let vector = vectorizer.vector(for: "a b a")
        let a = 1 + log(2.0)
        let norm = (a * a + 1).squareRoot()
        #expect(abs(Double(vector[bucket(tag: 1, "a", dimensions: dimensions)]) - a / norm) < 1e-6)
        #expect(abs(Double(vector[bucket(tag: 1, "b", dimensions: dimensions)]) - 1 / norm) < 1e-6)
        #expect(vector.count { $0 != 0 } == 2)
    }

    @Test func fittedIdfDownweightsCommonWords() {
        let dimensions = 1 << 20
        var vectorizer = TextVectorizer(dimensions: dimensions, features: .wordUnigrams)
        vectorizer.fit(["a b", "a c"])
        #expect(vectorizer.isFitted)
        #expect(vectorizer.documentCount == 2)
        let a = bucket(tag: 1, "a", dimensions: dimensions)
        let b = bucket(tag: 1, "b", dimensions: dimensions)
        #expect(abs(Double(vectorizer.idf[a]) - 1) < 1e-6)  // ln(3/3) + 1
        let idfB = log(3.0 / 2.0) + 1
        #expect(abs(Double(vectorizer.idf[b]) - idfB) < 1e-6)
        #expect(abs(Double(vectorizer.idf[bucket(tag: 1, "zzz", dimensions: dimensions)]) - (log(3.0) + 1)) < 1e-6)
        let vector = vectorizer.vector(for: "a b")
        let norm = (1 + idfB * idfB).squareRoot()
        #expect(abs(Double(vector[a]) - 1 / norm) < 1e-6)
        #expect(abs(Double(vector[b]) - idfB / norm) < 1e-6)
    }

    @Test func vectorsAreUnitLengthAndDeterministic() {
        let vectorizer = TextVectorizer().fitted(to: ["What is 12 times 6?", "Name the capital of France.", "Sort these numbers."])
        let first = vectorizer.vector(for: "What is 12 times 6? Answer: 72")
        let second = vectorizer.vector(for: "What is 12 times 6? Answer: 72")
        #expect(first == second)
        #expect(first.count == 4096)
        #expect(abs(length(first) - 1) < 1e-5)
    }

    @Test func textWithoutTokensGivesTheZeroVector() {
        let vector = TextVectorizer().vector(for: "?! ...")
        #expect(vector.allSatisfy { $0 == 0 })
        #expect(vector.count == 4096)
    }

    @Test func similarTextsAreCloserThanUnrelatedOnes() {
        let corpus = [
            "What is 12 times 6?", "What is 7 plus 5?", "Name the capital of France.", "Who wrote Hamlet?",
        ]
        let vectorizer = TextVectorizer().fitted(to: corpus)
        let stored = vectorizer.vectors(for: corpus)
        let query = vectorizer.vector(for: "what is 9 times 6")
        let neighbors = VectorMath.kNearest(query: query, among: stored, k: 2)
        #expect(neighbors.map(\.index) == [0, 1])
        #expect(neighbors[0].similarity > 0.3)
    }

    @Test func characterTrigramsMatchInflections() {
        let vectorizer = TextVectorizer(features: .characterTrigrams)
        let running = vectorizer.vector(for: "running")
        let runner = vectorizer.vector(for: "runner")
        let sitting = vectorizer.vector(for: "sitting")
        #expect(VectorMath.cosine(running, runner) > VectorMath.cosine(running, sitting))
    }

    @Test func roundTripsThroughJSON() throws {
        let vectorizer = TextVectorizer(dimensions: 64).fitted(to: ["alpha beta", "beta gamma", "72 apples"])
        let data = try JSONEncoder().encode(vectorizer)
        let restored = try JSONDecoder().decode(TextVectorizer.self, from: data)
        #expect(restored == vectorizer)
        #expect(restored.vector(for: "beta 72") == vectorizer.vector(for: "beta 72"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["recipeVersion", "dimensions", "features", "idf", "documentCount"])
    }

    @Test func rejectsInconsistentStoredData() throws {
        let json = #"{"recipeVersion":1,"dimensions":4,"features":7,"idf":[1,1,1],"documentCount":2}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TextVectorizer.self, from: Data(json.utf8)) }
        let future = #"{"recipeVersion":99,"dimensions":1,"features":7,"idf":[1],"documentCount":2}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TextVectorizer.self, from: Data(future.utf8)) }
        #expect(TextVectorizer(dimensions: 2, features: .all, idf: [1, 2], documentCount: 3) != nil)
        #expect(TextVectorizer(dimensions: 2, features: .all, idf: [1], documentCount: 3) == nil)
    }
}
