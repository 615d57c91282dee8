import Foundation
import Synchronization
import Testing

@testable import PanelKit

/// A backend that follows a script, one step per generation (the last step repeats), and counts calls.
final class ScriptedBackend: ModelBackend {
    enum Step: Sendable {
        /// Streams the pieces, then succeeds.
        case text([String])
        /// Fails before streaming anything.
        case fail(any Error)
        /// Streams the pieces, then fails.
        case streamThenFail([String], any Error)
        /// Never answers (until cancelled).
        case hang
    }

    private let state: Mutex<(script: [Step], generations: Int, scores: Int, embeddings: Int)>

    init(_ script: [Step]) {
        state = Mutex((script, 0, 0, 0))
    }

    var generations: Int { state.withLock { $0.generations } }
    var scores: Int { state.withLock { $0.scores } }
    var embeddings: Int { state.withLock { $0.embeddings } }

    func probe() async -> ProbeResult {
        ProbeResult(candidateID: "fake", reachable: true, modelIdentity: "fake")
    }

    func generate(_ request: GenerationRequest, onText: @escaping @Sendable (String) -> Void) async throws -> Generation {
        let step = state.withLock { state -> Step in
            state.generations += 1
            return state.script.count > 1 ? state.script.removeFirst() : state.script[0]
        }
        switch step {
        case .text(let pieces):
            for piece in pieces { onText(piece) }
            return Generation(text: pieces.joined(), tokensIn: 7, tokensOut: pieces.count, finishReason: "stop")
        case .fail(let error):
            throw error
        case .streamThenFail(let pieces, let error):
            for piece in pieces { onText(piece) }
            throw error
        case .hang:
            try await Task.sleep(for: .seconds(3600))
            throw CancellationError()
        }
    }

    func scoreContinuation(_ continuation: String, after prompt: Prompt) async throws -> ContinuationScore {
        state.withLock { $0.scores += 1 }
        return ContinuationScore(tokenLogprobs: [-0.5, -1.25], byteCount: continuation.utf8.count, exact: true)
    }

    func embed(_ texts: [String]) async throws -> [[Float]] {
        state.withLock { $0.embeddings += 1 }
        return texts.map { [Float($0.count), 0.5] }
    }
}

@Suite struct ModelClientTests {
    static let question = Prompt.chat([ChatMessage(.user, "What is 2+3?")])

    static func client(
        _ backend: ScriptedBackend, store: Store?, ledger: UsageLedger = UsageLedger(),
        identity: String = "llama-server:qwen.gguf", adapter: AdapterRef? = nil
    ) -> ModelClient {
        let candidate = Candidate(
            id: "fake", kind: .llamaServer, urls: ["http://127.0.0.1:1"], model: "fake", adapter: adapter)
        let probe = ProbeResult(candidateID: "fake", reachable: true, modelIdentity: identity)
        var client = ModelClient(candidate: candidate, probe: probe, backend: backend, store: store, ledger: ledger, run: "test")
        client.policy.baseDelay = .milliseconds(1)
        return client
    }

    static func greedy(_ prompt: Prompt = question) -> GenerationRequest {
        GenerationRequest(prompt: prompt, sampling: .greedy(maxTokens: 16))
    }

    static func sampled(seed: Int? = nil) -> GenerationRequest {
        GenerationRequest(prompt: question, sampling: Sampling(temperature: 0.8, topP: 0.95, maxTokens: 16, seed: seed))
    }

    /// The outcome and error columns of every recorded call, in order.
    static func outcomes(_ store: Store) throws -> [[SQLiteValue]] {
        try SQLiteConnection(path: store.path).query("SELECT outcome, error, cacheable FROM calls ORDER BY id")
    }

    // MARK: Caching

    @Test func deterministicGenerationIsServedFromTheCacheTheSecondTime() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try Store(path: folder.file("panel.sqlite"))
        let backend = ScriptedBackend([.text(["The answer", " is 5."])])
        let ledger = UsageLedger()
        let client = Self.client(backend, store: store, ledger: ledger)

        let firstPieces = Collector<String>()
        let first = try await client.generate(Self.greedy()) { firstPieces.append($0) }
        let secondPieces = Collector<String>()
        let second = try await client.generate(Self.greedy()) { secondPieces.append($0) }

        #expect(backend.generations == 1)
        #expect(first.text == "The answer is 5.")
        #expect(second.text == first.text)
        #expect(second.tokensOut == first.tokensOut)
        #expect(firstPieces.values == ["The answer", " is 5."])
        #expect(secondPieces.values == ["The answer is 5."])  // whole, once, on a cache hit
        let usage = try #require(ledger.byCandidate["fake"])
        #expect(usage.calls == 1)
        #expect(usage.cacheHits == 1)
        #expect(usage.errors == 0)
        #expect(usage.tokensIn == 14)
        #expect(try await store.callCount() == 1)
        #expect(try await store.callCount(run: "test") == 1)
    }

    @Test func theCacheOutlivesTheClient() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("panel.sqlite")
        let backend = ScriptedBackend([.text(["5"])])
        _ = try await Self.client(backend, store: try Store(path: path)).generate(Self.greedy())
        let again = try await Self.client(backend, store: try Store(path: path)).generate(Self.greedy())
        #expect(again.text == "5")
        #expect(backend.generations == 1)
    }

    @Test func sampledGenerationIsNeverCached() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try Store(path: folder.file("panel.sqlite"))
        let backend = ScriptedBackend([.text(["one"]), .text(["two"]), .text(["three"])])
        let ledger = UsageLedger()
        let client = Self.client(backend, store: store, ledger: ledger)
        var texts: [String] = []
        for _ in 0..<3 { texts.append(try await client.generate(Self.sampled()).text) }
        #expect(texts == ["one", "two", "three"])
        #expect(backend.generations == 3)
        #expect(ledger.total.cacheHits == 0)
        #expect(try await store.callCount() == 3)
        #expect(try Self.outcomes(store).map { $0[2] } == [.integer(0), .integer(0), .integer(0)])
    }

    @Test func seededSamplingIsCachedPerSeed() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try Store(path: folder.file("panel.sqlite"))
        let backend = ScriptedBackend([.text(["seed 1"]), .text(["seed 2"])])
        let client = Self.client(backend, store: store)
        #expect(try await client.generate(Self.sampled(seed: 1)).text == "seed 1")
        #expect(try await client.generate(Self.sampled(seed: 1)).text == "seed 1")
        #expect(backend.generations == 1)
        #expect(try await client.generate(Self.sampled(seed: 2)).text == "seed 2")
        #expect(try await client.generate(Self.sampled(seed: 2)).text == "seed 2")
        #expect(backend.generations == 2)
    }

    @Test func anotherPromptOrSettingIsAnotherCacheEntry() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try Store(path: folder.file("panel.sqlite"))
        let backend = ScriptedBackend([.text(["a"]), .text(["b"]), .text(["c"])])
        let client = Self.client(backend, store: store)
        _ = try await client.generate(Self.greedy())
        _ = try await client.generate(Self.greedy(.chat([ChatMessage(.user, "What is 2+4?")])))
        _ = try await client.generate(GenerationRequest(prompt: Self.question, sampling: .greedy(maxTokens: 17)))
        #expect(backend.generations == 3)
    }

    @Test func scoresAndEmbeddingsAreCached() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try Store(path: folder.file("panel.sqlite"))
        let backend = ScriptedBackend([.text(["x"])])
        let ledger = UsageLedger()
        let client = Self.client(backend, store: store, ledger: ledger)
        let first = try await client.score(" 5", after: Self.question)
        let second = try await client.score(" 5", after: Self.question)
        #expect(first == second)
        #expect(second.tokenLogprobs == [-0.5, -1.25])
        #expect(backend.scores == 1)
        _ = try await client.score(" 9", after: Self.question)
        #expect(backend.scores == 2)

        let vectors = try await client.embed(["abc", "de"])
        #expect(try await client.embed(["abc", "de"]) == vectors)
        #expect(vectors == [[3, 0.5], [2, 0.5]])
        #expect(backend.embeddings == 1)
        #expect(ledger.total.cacheHits == 2)
        #expect(ledger.total.calls == 3)
    }

    @Test func withoutAStoreNothingIsCached() async throws {
        let backend = ScriptedBackend([.text(["5"])])
        let ledger = UsageLedger()
        let client = Self.client(backend, store: nil, ledger: ledger)
        _ = try await client.generate(Self.greedy())
        _ = try await client.generate(Self.greedy())
        #expect(backend.generations == 2)
        #expect(ledger.total.calls == 2)
    }

    // MARK: Fingerprints

    @Test func anotherModelIdentityIsAnotherFingerprint() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try Store(path: folder.file("panel.sqlite"))
        let backend = ScriptedBackend([.text(["from qwen"]), .text(["from gemma"])])
        let qwen = Self.client(backend, store: store, identity: "llama-server:qwen.gguf")
        let gemma = Self.client(backend, store: store, identity: "llama-server:gemma.gguf")
        #expect(try await qwen.generate(Self.greedy()).text == "from qwen")
        // Same candidate id, URL and request, but other weights behind the URL: not the cached answer.
        #expect(try await gemma.generate(Self.greedy()).text == "from gemma")
        #expect(backend.generations == 2)
        #expect(try await qwen.generate(Self.greedy()).text == "from qwen")
        #expect(backend.generations == 2)

        let request = Self.greedy().json
        #expect(qwen.fingerprint(.generate, request) != gemma.fingerprint(.generate, request))
        #expect(qwen.fingerprint(.generate, request) == Self.client(backend, store: nil).fingerprint(.generate, request))
        #expect(qwen.fingerprint(.generate, request) != qwen.fingerprint(.score, request))
        let half = Self.client(backend, store: nil, adapter: AdapterRef(name: "math", scale: 0.5))
        let full = Self.client(backend, store: nil, adapter: AdapterRef(name: "math", scale: 1))
        #expect(half.fingerprint(.generate, request) != full.fingerprint(.generate, request))
        #expect(half.fingerprint(.generate, request) != qwen.fingerprint(.generate, request))
        #expect(qwen.fingerprint(.generate, request).count == 64)
    }

    // MARK: Failures and retries

    @Test func failuresAreRecordedWithTheErrorAndNotCached() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try Store(path: folder.file("panel.sqlite"))
        let rejected = BackendError.badRequest(candidate: "fake", message: "bad grammar")
        let backend = ScriptedBackend([.fail(rejected), .text(["5"])])
        let ledger = UsageLedger()
        let client = Self.client(backend, store: store, ledger: ledger)

        await #expect(throws: rejected) { try await client.generate(Self.greedy()) }
        #expect(backend.generations == 1)  // not transient: no retry
        #expect(ledger.total.errors == 1)
        let rows = try Self.outcomes(store)
        #expect(rows.count == 1)
        #expect(rows.first?[0] == .text("error"))
        #expect(rows.first?[1].string?.contains("bad grammar") == true)

        #expect(try await client.generate(Self.greedy()).text == "5")
        #expect(backend.generations == 2)
        #expect(try await client.generate(Self.greedy()).text == "5")
        #expect(backend.generations == 2)
        #expect(try Self.outcomes(store).map { $0[0] } == [.text("error"), .text("ok")])
    }

    @Test func aTransientErrorIsRetried() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try Store(path: folder.file("panel.sqlite"))
        let backend = ScriptedBackend([.fail(BackendError.overloaded(candidate: "fake", retryAfter: nil)), .text(["5"])])
        let ledger = UsageLedger()
        let client = Self.client(backend, store: store, ledger: ledger)
        let generation = try await client.generate(Self.greedy())
        #expect(generation.text == "5")
        #expect(backend.generations == 2)
        #expect(ledger.total.calls == 2)
        #expect(ledger.total.errors == 1)
        #expect(try Self.outcomes(store).map { $0[0] } == [.text("error"), .text("ok")])
    }

    @Test func transientErrorsGiveUpAfterTheLastAttempt() async throws {
        let backend = ScriptedBackend([.fail(BackendError.loading(candidate: "fake"))])
        var client = Self.client(backend, store: nil)
        client.policy.attempts = 2
        await #expect(throws: BackendError.loading(candidate: "fake")) { try await client.generate(Self.greedy()) }
        #expect(backend.generations == 2)
    }

    @Test func noRetryOnceTextWasStreamed() async throws {
        let overloaded = BackendError.overloaded(candidate: "fake", retryAfter: nil)
        let backend = ScriptedBackend([.streamThenFail(["The ans"], overloaded), .text(["The answer is 5."])])
        let ledger = UsageLedger()
        let client = Self.client(backend, store: nil, ledger: ledger)
        let pieces = Collector<String>()
        await #expect(throws: overloaded) { try await client.generate(Self.greedy()) { pieces.append($0) } }
        #expect(backend.generations == 1)
        #expect(pieces.values == ["The ans"])
        #expect(ledger.total.errors == 1)
    }

    @Test func transportErrorsAreClassifiedForTheCaller() async throws {
        let backend = ScriptedBackend([.fail(HTTPError.status(code: 400, message: "bad", url: "u", retryAfter: nil))])
        let client = Self.client(backend, store: nil)
        await #expect(throws: BackendError.badRequest(candidate: "fake", message: "bad")) {
            try await client.generate(Self.greedy())
        }
    }

    @Test func cancellationIsNeitherRetriedNorReclassified() async throws {
        let backend = ScriptedBackend([.fail(CancellationError()), .text(["5"])])
        let client = Self.client(backend, store: nil)
        await #expect(throws: CancellationError.self) { try await client.generate(Self.greedy()) }
        #expect(backend.generations == 1)
    }

    // MARK: Cancellation over the wire

    @Test(arguments: [BackendKind.llamaServer, .openAI, .ollama])
    func aGenerationCancelledMidStreamIsNeitherReturnedNorCached(_ kind: BackendKind) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try Store(path: folder.file("panel.sqlite"))
        let sse = #"data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":"The answer"}}]}"# + "\n\n"
        let ndjson = #"{"model":"m","message":{"role":"assistant","content":"The answer"},"done":false}"# + "\n"
        // The server sends the start of the answer, then thinks for a long time.
        let transport = ScriptedTransport(fixed: [
            "GET /lora-adapters": .json("[]"),
            "POST /v1/chat/completions": .chunksThenSilence([sse]),
            "POST /api/chat": .chunksThenSilence([ndjson]),
        ])
        let candidate = wireCandidate(kind)
        let backend = BackendFactory.backend(for: candidate, transport: transport, scheduler: SlotScheduler())
        let client = ModelClient(
            candidate: candidate, probe: ProbeResult(candidateID: candidate.id, reachable: true, modelIdentity: "m"),
            backend: backend, store: store, ledger: UsageLedger())
        let request = Self.greedy()
        let pieces = Collector<String>()
        let task = Task { try await client.generate(request) { pieces.append($0) } }
        try await waitUntil("the first piece arrived") { !pieces.values.isEmpty }
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { _ = try result.get() }
        // A truncated answer must never be recorded as a successful, cacheable call.
        #expect(try await store.cachedResponse(for: client.fingerprint(.generate, request.json)) == nil)
        #expect(try await store.callCount() == 0)
    }
}
