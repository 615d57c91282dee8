import Foundation
import PanelKit
import Synchronization
import Testing

/// PanelKit against two real llama-servers: probing, generation, streaming, concurrency and scoring.
///
/// Serialized: the servers and the machine's two cores are shared by every test of the suite.
/// Nothing here asserts on timing; assertions are about what the servers answered.
@Suite(.integration, .llamaServers, .serialized) struct RealServerTests {
    static let models = [LlamaServers.smolID, LlamaServers.qwenID]

    var servers: LlamaServers { LlamaServers.current! }

    private static func ask(_ question: String, maxTokens: Int = 24) -> GenerationRequest {
        GenerationRequest(prompt: .chat([ChatMessage(.user, question)]), sampling: .greedy(maxTokens: maxTokens))
    }

    // MARK: Probing

    @Test func probesReportReachableServersWithSlotsContextAndExactScoring() throws {
        let probes = servers.session.probes
        #expect(probes.map(\.candidateID) == Self.models)
        for probe in probes {
            #expect(probe.reachable, "\(probe.candidateID)")
            #expect(probe.error == nil, "\(probe.candidateID): \(probe.error ?? "")")
            #expect(probe.slots == 4)
            #expect(probe.contextSize == 1024)  // 4096 tokens shared by 4 slots
            #expect(probe.capabilities.scoring == .exact)
            #expect(probe.capabilities.chat)
            #expect(probe.capabilities.completion)
            #expect(probe.capabilities.logprobs)
            #expect(probe.capabilities.tokenize)
            #expect(probe.capabilities.maxN == 4)
            #expect(!probe.capabilities.embeddings)  // started without --embeddings
            #expect(probe.latencyMs != nil)
        }
        #expect(probes[0].modelIdentity == "llama-server:\(LocalModels.smolFile)")
        #expect(probes[1].modelIdentity == "llama-server:\(LocalModels.qwenFile)")
        #expect(servers.session.clients.count == 2)
    }

    // MARK: Generation

    @Test(arguments: models) func chatGenerationReturnsText(_ id: String) async throws {
        let generation = try await servers.client(id).generate(Self.ask("What is the capital of France?"))
        #expect(!generation.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        #expect(generation.tokensIn > 5)
        #expect(generation.tokensOut > 0)
        #expect(["stop", "length"].contains(generation.finishReason ?? "none"))
    }

    @Test(arguments: models) func streamingDeliversSeveralPieces(_ id: String) async throws {
        let pieces = Pieces()
        let generation = try await servers.client(id).generate(
            Self.ask("Count from one to twenty in words, separated by commas.", maxTokens: 24)) { pieces.append($0) }
        #expect(pieces.count >= 5, "only \(pieces.count) pieces: \(generation.text)")
        #expect(pieces.joined == generation.text)
    }

    @Test func fourConcurrentRequestsAllSucceed() async throws {
        let client = try servers.client(LlamaServers.qwenID)
        let questions = ["What is 2+2?", "Name a colour.", "What is the capital of Italy?", "Say hello in French."]
        let answers = try await withThrowingTaskGroup(of: (Int, Generation).self) { group in
            for (index, question) in questions.enumerated() {
                group.addTask { (index, try await client.generate(Self.ask(question, maxTokens: 16))) }
            }
            var answers: [Int: Generation] = [:]
            for try await (index, generation) in group { answers[index] = generation }
            return answers
        }
        #expect(answers.count == 4)
        for (index, generation) in answers {
            #expect(!generation.text.isEmpty, "\(questions[index]) got no answer")
            #expect(generation.tokensOut > 0)
        }
    }

    @Test(arguments: models) func aSmallBudgetFinishesWithLength(_ id: String) async throws {
        let client = try servers.client(id)
        let chat = try await client.generate(Self.ask("Write a long story about a dragon.", maxTokens: 3))
        #expect(chat.finishReason == "length")
        #expect(chat.tokensOut == 3)
        // The native completion route reports its own stop type; it must read the same.
        let text = try await client.generate(
            GenerationRequest(prompt: .text("Once upon a time"), sampling: .greedy(maxTokens: 3)))
        #expect(text.finishReason == "length")
        #expect(text.tokensOut == 3)
    }

    @Test func deterministicCallsAreServedFromARealStore() async throws {
        let store = try Store(path: servers.newStorePath())
        let session = try await PoolSession.open(servers.pool, store: store, transport: CurlTransport())
        let client = try #require(session.client(LlamaServers.smolID))
        let first = try await client.generate(Self.ask("What is 3+4?", maxTokens: 8))
        let second = try await client.generate(Self.ask("What is 3+4?", maxTokens: 8))
        #expect(second.text == first.text)
        let usage = try #require(session.ledger.byCandidate[LlamaServers.smolID])
        #expect(usage.calls == 1)
        #expect(usage.cacheHits == 1)
        #expect(try await store.callCount() == 1)
        #expect(try await store.probes(pool: servers.pool.fingerprint).count == 2)
    }

    @Test func aGenerationCancelledMidStreamIsNotCached() async throws {
        let store = try Store(path: servers.newStorePath())
        let session = try await PoolSession.open(servers.pool, store: store, transport: CurlTransport())
        let client = try #require(session.client(LlamaServers.qwenID))
        let request = Self.ask("Write a long story about a dragon who learns to cook.", maxTokens: 300)
        let pieces = Pieces()
        let task = Task { try await client.generate(request) { pieces.append($0) } }
        let deadline = ContinuousClock.now + .seconds(60)
        while pieces.count < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        try #require(pieces.count >= 3, "the answer never started streaming")
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { _ = try result.get() }
        // A truncated answer recorded as a success would be served from the cache from now on.
        #expect(try await store.callCount() == 0)
        #expect(session.ledger.total.calls == 0)
    }

    // MARK: Scoring

    @Test(arguments: models) func theRightContinuationScoresHigher(_ id: String) async throws {
        let client = try servers.client(id)
        let france = Prompt.text("The capital of France is")
        let paris = try await client.score(" Paris", after: france)
        let berlin = try await client.score(" Berlin", after: france)
        #expect(paris.exact)
        #expect(paris.logLikelihood > berlin.logLikelihood, "Paris \(paris.logLikelihood), Berlin \(berlin.logLikelihood)")
        #expect(paris.logLikelihood < 0)
        #expect(paris.tokenLogprobs.allSatisfy { $0.isFinite && $0 <= 0 })
    }

    @Test(arguments: models) func theRightAnswerToAChatQuestionScoresHigher(_ id: String) async throws {
        let client = try servers.client(id)
        let question = Prompt.chat([ChatMessage(.user, "What is 2+3? Answer with just the number.")])
        let right = try await client.score("5", after: question)
        let wrong = try await client.score("9", after: question)
        #expect(right.logLikelihood > wrong.logLikelihood, "5: \(right.logLikelihood), 9: \(wrong.logLikelihood)")
    }

    @Test(arguments: models) func theGreedyAnswerScoresAtLeastAsHighAsAPerturbedCopy(_ id: String) async throws {
        let client = try servers.client(id)
        let prompt = Prompt.text("The three primary colours are")
        let greedy = try await client.generate(GenerationRequest(prompt: prompt, sampling: .greedy(maxTokens: 12)))
        var words = greedy.text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        try #require(words.count >= 3, "greedy output too short to perturb: \(greedy.text)")
        // Replace the last non-empty word with an unlikely one.
        let last = try #require(words.lastIndex { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty })
        words[last] = "pancake"
        let perturbed = words.joined(separator: " ")
        try #require(perturbed != greedy.text)

        let original = try await client.score(greedy.text, after: prompt)
        let changed = try await client.score(perturbed, after: prompt)
        #expect(
            original.logLikelihood >= changed.logLikelihood,
            "greedy \(greedy.text.debugDescription) \(original.logLikelihood) vs \(perturbed.debugDescription) \(changed.logLikelihood)")
    }

    @Test(arguments: models) func forcedDecodingScoresEveryTokenOfTheReference(_ id: String) async throws {
        let reference = " The quick brown fox jumps over the lazy dog, twice."
        let score = try await servers.client(id).score(reference, after: .text("A sentence with every letter:"))
        let tokenized = try await CurlTransport().sendJSON(
            .postJSON(
                servers.url(id) + "/tokenize",
                ["content": .string(reference), "add_special": false, "parse_special": false]))
        let tokens = try #require(tokenized["tokens"]?.arrayValue)
        #expect(tokens.count > 5)
        #expect(score.tokenLogprobs.count == tokens.count)
        #expect(score.byteCount == reference.utf8.count)
    }
}

/// Streamed pieces, appended from the backend's callback.
final class Pieces: Sendable {
    private let state = Mutex<[String]>([])
    func append(_ piece: String) { state.withLock { $0.append(piece) } }
    var count: Int { state.withLock { $0.count } }
    var joined: String { state.withLock { $0.joined() } }
}
