import Foundation
import Testing

@testable import PanelKit

/// Ensemble files: what select-experts writes, ask and evaluate read back unchanged.
@Suite struct EnsembleSpecJSONTests {
    let scratch = ScratchDirectory()

    /// Values exactly representable in 6 decimals and in Float, so the round trip is exact.
    static func spec(vectors: RouterData.Vectors) -> EnsembleSpec {
        var settings = EnsembleSpec.Settings()
        settings.samples = 9
        settings.window = 4
        settings.rounds = 3
        settings.topK = 3
        settings.temperature = 0.9
        settings.earlyStop = 2
        settings.confidence = 0.625
        settings.maxTokens = 512
        return EnsembleSpec(
            task: "gsm8k", taskType: .number, mode: .moe, reason: "similar quality, \"complementary\"\nitems",
            experts: [
                EnsembleSpec.Expert(id: "qwen", roles: [.proposer, .shared, .aggregator], accuracy: 0.75),
                EnsembleSpec.Expert(id: "llama+lora:math", roles: [.proposer], accuracy: 0.5),
                EnsembleSpec.Expert(id: "judge", roles: [.aggregator], accuracy: 0),
            ],
            aggregator: "judge", settings: settings, poolPath: "pools/local.json", poolFingerprint: "abc123",
            kshotPath: "evals/gsm8k/kshot.jsonl", kshotFingerprint: "def456",
            demonstrations: [
                TaskItem(id: "d1", question: "What is 2+2?", answer: "4", rationale: "Two and two make four."),
                TaskItem(id: "d2", question: "Pick the vowel.", choices: ["b", "e", "k"], answer: "B"),
                TaskItem(id: "d3", question: "Write add(a, b).", answer: "def add(a, b): return a + b", tests: ["assert add(1, 2) == 3"]),
            ],
            router: RouterData(
                vectors: vectors,
                items: [
                    RouterData.Item(
                        id: "k1", type: .number, snippet: "Janet's ducks…", vector: [0, 0.5, 0, 0, 0, 0, -0.25, 0],
                        correct: ["qwen": true, "llama+lora:math": false]),
                    RouterData.Item(
                        id: "k2", type: .yesNo, snippet: "Is frost common?", vector: [0, 0, 0, 0, 0, 0, 0, 0],
                        correct: ["qwen": false]),
                    RouterData.Item(
                        id: "k3", type: .multipleChoice, snippet: "", vector: [0.125, 0, 0, 0, 0, 0, 0, 0.75],
                        correct: [:]),
                ]),
            scores: ["candidates": ["qwen": ["accuracy": 0.75]]])
    }

    static let tfidf = RouterData.Vectors.tfidf(
        TextVectorizer(dimensions: 8, features: [.wordUnigrams, .characterTrigrams], idf: [1, 1.5, 2.25, 1, 3.5, 1, 1.125, 2], documentCount: 3)!)

    func roundTrip(_ spec: EnsembleSpec) throws -> EnsembleSpec {
        let path = try scratch.write(Array(spec.json.data(pretty: true)), named: "ensemble.json")
        return try EnsembleSpec.load(path: path)
    }

    /// `spec` with demonstrations' lines and its origin cleared (a loaded spec records the lines it was read from).
    static func withoutLines(_ spec: EnsembleSpec) -> EnsembleSpec {
        var copy = spec
        copy.origin = nil
        copy.demonstrations = copy.demonstrations.map {
            var item = $0
            item.line = 0
            return item
        }
        return copy
    }

    @Test func aTFIDFEnsembleSurvivesTheRoundTripWhole() throws {
        let spec = Self.spec(vectors: Self.tfidf)
        let loaded = try roundTrip(spec)
        #expect(Self.withoutLines(loaded) == spec)
        // Field by field, for a readable failure.
        #expect(loaded.settings == spec.settings)
        #expect(loaded.experts == spec.experts)
        #expect(loaded.router.items.map(\.vector) == spec.router.items.map(\.vector))
        #expect(loaded.router.items.map(\.correct) == spec.router.items.map(\.correct))
        #expect(loaded.router.vectors == spec.router.vectors)
        #expect(loaded.demonstrations.map(\.json) == spec.demonstrations.map(\.json))
        #expect(loaded.scores == spec.scores)
        #expect(loaded.reason == spec.reason)
    }

    @Test func routerVectorsAreStoredSparsely() throws {
        let json = Self.spec(vectors: Self.tfidf).json
        let items = try #require(json["router"]?["items"]?.arrayValue)
        #expect(items[0]["indices"] == [1, 6])
        #expect(items[0]["values"] == [0.5, -0.25])
        #expect(items[0]["dimensions"] == 8)
        #expect(items[1]["indices"] == [])
        #expect(items[2]["indices"] == [0, 7])
    }

    @Test func anEmbeddingsMixedEnsembleSurvivesTheRoundTrip() throws {
        var spec = Self.spec(vectors: .embeddings(EmbeddingsEndpoint(
            kind: .openAI, url: "http://127.0.0.1:1/v1", model: "bge-m3", apiKeyVariable: "EMBED_KEY")))
        spec.taskType = nil
        spec.mode = .selfMoA
        let loaded = try roundTrip(spec)
        #expect(Self.withoutLines(loaded) == spec)
        #expect(loaded.taskType == nil)
        #expect(spec.json["task_type"] == "mixed")
    }

    @Test func aFittedVectorizerSurvivesWithinRounding() throws {
        let questions = ["How many eggs does Janet sell?", "Is frost common at commencements?", "What is 2 + 2?"]
        let vectorizer = TextVectorizer().fitted(to: questions)
        var spec = Self.spec(vectors: .tfidf(vectorizer))
        spec.router.items = zip(questions, vectorizer.vectors(for: questions)).enumerated().map { index, pair in
            RouterData.Item(id: "k\(index)", type: .number, snippet: pair.0, vector: pair.1, correct: ["qwen": true])
        }
        let loaded = try roundTrip(spec)
        guard case .tfidf(let restored) = loaded.router.vectors else {
            Issue.record("vectors are not TF-IDF")
            return
        }
        #expect(restored.dimensions == vectorizer.dimensions)
        #expect(restored.documentCount == 3)
        #expect(zip(restored.idf, vectorizer.idf).allSatisfy { abs($0 - $1) < 1e-6 })
        let query = "How many eggs does Janet sell each day?"
        let before = KNNRouter(data: spec.router).route(vectorizer.vector(for: query), experts: ["qwen"])
        let after = KNNRouter(data: loaded.router).route(restored.vector(for: query), experts: ["qwen"])
        #expect(after.nearest.map(\.id) == before.nearest.map(\.id))
        #expect(zip(after.nearest, before.nearest).allSatisfy { abs($0.similarity - $1.similarity) < 1e-4 })
    }

    // MARK: Malformed files

    /// Writes the valid file with `original` replaced by `replacement`, loads it and returns the error,
    /// with the 1-based line on which `original` stood.
    func loadError(replacing original: String, with replacement: String) throws -> (error: DataFileError, line: Int) {
        let text = Self.spec(vectors: Self.tfidf).json.serialized(pretty: true)
        let range = try #require(text.range(of: original), "the valid file has no \(original)")
        let line = text[..<range.lowerBound].filter { $0 == "\n" }.count + 1
        let path = try scratch.write(Array(text.replacingCharacters(in: range, with: replacement).utf8), named: "bad.json")
        do {
            _ = try EnsembleSpec.load(path: path)
        } catch {
            #expect(error.file == path)
            return (error, line)
        }
        Issue.record("a malformed file was accepted")
        throw FakeFailure(message: "accepted")
    }

    @Test func anUnknownModeIsLocated() throws {
        let (error, line) = try loadError(replacing: "\"mode\": \"moe\"", with: "\"mode\": \"quantum\"")
        #expect(error.field == "mode")
        #expect(error.line == line)
        #expect(error.message.contains("quantum"))
        #expect(error.message.contains("self-moa"))
    }

    @Test func missingExpertsAreReported() throws {
        let text = Self.spec(vectors: Self.tfidf).json.serialized(pretty: true)
        let start = try #require(text.range(of: "\"experts\": ["))
        let end = try #require(text.range(of: "\"aggregator\":", range: start.upperBound..<text.endIndex))
        let path = try scratch.write(Array(text.replacingCharacters(in: start.lowerBound..<end.lowerBound, with: "").utf8))
        #expect {
            _ = try EnsembleSpec.load(path: path)
        } throws: { error in
            guard let error = error as? DataFileError else { return false }
            return error.field == "experts" && error.line >= 1 && error.message.contains("non-empty array")
        }
        let (empty, line) = try loadError(replacing: "\"experts\": [", with: "\"experts\": [], \"unused\": [")
        #expect(empty.field == "experts")
        #expect(empty.line == line)
    }

    @Test func anUnknownRouterKindIsLocated() throws {
        let (error, line) = try loadError(replacing: "\"kind\": \"tfidf\"", with: "\"kind\": \"bm25\"")
        #expect(error.field == "router.vectors.kind")
        #expect(error.line == line)
        #expect(error.message.contains("bm25"))
    }

    @Test func anUnknownRoleIsLocated() throws {
        let (error, line) = try loadError(replacing: "\"shared\"", with: "\"sharde\"")
        #expect(error.field == "experts[0].roles[1]")
        #expect(error.line == line)
    }

    @Test func outOfRangeSettingsAreLocated() throws {
        let (error, line) = try loadError(replacing: "\"window\": 4", with: "\"window\": 0")
        #expect(error.field == "settings.window")
        #expect(error.line == line)
    }

    @Test func mismatchedSparseVectorsAreLocated() throws {
        let (error, line) = try loadError(replacing: "\"dimensions\": 8,\n        \"indices\": [\n          1,", with: "\"dimensions\": 8,\n        \"indices\": [\n          9,")
        #expect(error.field == "router.items[0].indices")
        #expect(error.line > 0 && error.line <= line + 1)
    }

    @Test func aRouterItemOfAnotherDimensionIsRefused() throws {
        // The router compares every item with a question vector of the vectorizer's dimension.
        let (error, _) = try loadError(replacing: "\"dimensions\": 8,\n        \"indices\": [\n          1,", with: "\"dimensions\": 7,\n        \"indices\": [\n          1,")
        #expect(error.field == "router.items[0].dimensions")
    }

    @Test func anAggregatorThatIsNoExpertIsRefused() throws {
        let (error, line) = try loadError(replacing: "\"aggregator\": \"judge\"", with: "\"aggregator\": \"nobody\"")
        #expect(error.field == "aggregator")
        #expect(error.line == line)
        #expect(error.message.contains("nobody"))
    }

    @Test func aMissingFileSaysHowToCreateIt() {
        #expect {
            _ = try EnsembleSpec.load(path: scratch.url.appendingPathComponent("none.json").path)
        } throws: { error in
            (error as? DataFileError)?.message.contains("select-experts") == true
        }
    }
}
