import Foundation
import Synchronization
import Testing

@testable import PanelKit

/// A fake model server whose answer is a function of the request (and of the requests it saw before),
/// recording every request it was sent.
///
/// Unlike `ScriptedBackend` (a fixed script, one step per call), a rule can answer concurrent samples
/// by their seed and aggregation prompts by their system message, whatever order they arrive in.
/// Like a real backend it honours cancellation: a call made from a cancelled task throws.
final class RuleBackend: ModelBackend {
    /// Decides the reply to `request`; `earlier` are the requests received before it.
    typealias Rule = @Sendable (_ request: GenerationRequest, _ earlier: [GenerationRequest]) throws -> String

    private let rule: Rule
    private let logprobs: [Double]
    private let state = Mutex<[GenerationRequest]>([])
    private let scored = Mutex<[String]>([])

    /// `logprobs` is the score of every continuation.
    init(logprobs: [Double] = [-1], _ rule: @escaping Rule) {
        self.rule = rule
        self.logprobs = logprobs
    }

    /// Continuations scored, in order.
    var scores: [String] { scored.withLock { $0 } }

    /// Every generation request received, in arrival order.
    var requests: [GenerationRequest] { state.withLock { $0 } }
    /// Generation calls received.
    var calls: Int { requests.count }
    /// Aggregation requests received (system message of the aggregation prompt).
    var aggregationRequests: [GenerationRequest] { requests.filter(\.isAggregation) }
    /// Proposal requests received (anything that is not an aggregation).
    var sampleRequests: [GenerationRequest] { requests.filter { !$0.isAggregation } }

    func probe() async -> ProbeResult {
        ProbeResult(candidateID: "rule", reachable: true, modelIdentity: "rule")
    }

    func generate(_ request: GenerationRequest, onText: @escaping @Sendable (String) -> Void) async throws -> Generation {
        try Task.checkCancellation()
        let earlier = state.withLock { state -> [GenerationRequest] in
            defer { state.append(request) }
            return state
        }
        let text = try rule(request, earlier)
        // Streamed in two pieces, as a server would.
        let cut = text.index(text.startIndex, offsetBy: text.count / 2)
        onText(String(text[..<cut]))
        onText(String(text[cut...]))
        return Generation(
            text: text, tokensIn: 10, tokensOut: max(1, text.split(separator: " ").count), finishReason: "stop")
    }

    func scoreContinuation(_ continuation: String, after prompt: Prompt) async throws -> ContinuationScore {
        try Task.checkCancellation()
        scored.withLock { $0.append(continuation) }
        return ContinuationScore(tokenLogprobs: logprobs, byteCount: max(1, continuation.utf8.count), exact: true)
    }

    func embed(_ texts: [String]) async throws -> [[Float]] {
        throw FakeFailure(message: "no embeddings route")
    }
}

/// A non-transient failure (the client does not retry it, so tests never sleep).
struct FakeFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension GenerationRequest {
    /// The chat messages of the request (empty for a text prompt).
    var messages: [ChatMessage] {
        if case .chat(let messages) = prompt { return messages }
        return []
    }

    /// Whether the request is an aggregation (its system message is the aggregator's).
    var isAggregation: Bool {
        messages.first.map { $0.role == .system && $0.content.hasPrefix("You are the aggregator") } ?? false
    }

    /// Everything the model is shown, as one string.
    var fullText: String {
        switch prompt {
        case .chat(let messages): messages.map(\.content).joined(separator: "\n")
        case .text(let text): text
        }
    }

    /// The user message's text (the last user message of a chat prompt, the text of a text prompt).
    var userText: String {
        switch prompt {
        case .chat(let messages): messages.last { $0.role == .user }?.content ?? ""
        case .text(let text): text
        }
    }
}

/// Builds pool sessions, ensembles and items over `RuleBackend`s.
enum Fakes {
    /// The GSM8K question the ensemble tests ask (gold 18).
    static let ducks = TaskItem(
        id: "ducks",
        question: "Janet's ducks lay 16 eggs per day. She eats three for breakfast and bakes muffins with four. "
            + "She sells the rest for $2 each. How many dollars does she make every day?",
        answer: "18")

    /// Distinct sample texts per seed: seeds 1000 and 1001 answer 18, the others 20. Distinct wording
    /// keeps the collapser from merging them.
    static func sampleText(seed: Int?) -> String {
        switch seed {
        case 1000: "Janet keeps 16 - 3 - 4 = 9 eggs to sell, and 9 times $2 makes 18 dollars. The answer is 18."
        case 1001: "Sixteen minus seven leaves nine; nine eggs at two dollars each earn eighteen. The answer is 18."
        case 1002: "Breakfast and muffins use three plus four; selling what remains brings twenty. The answer is 20."
        case 1003: "Counting the muffins twice by mistake, the market revenue comes out at 20. The answer is 20."
        case 1004: "Ten eggs are sold at two dollars apiece, which gives twenty. The answer is 20."
        case 1005: "Perhaps the farmers pay twenty dollars for the whole basket daily. The answer is 20."
        case let seed?: "Sample \(seed) guesses wildly and lands on twenty. The answer is 20."
        case nil: "Without a seed the guess is twenty. The answer is 20."
        }
    }

    /// The usual rule: aggregation prompts get `aggregate(round, request)` (round counts from 1 per
    /// backend), everything else gets `sampleText(seed:)`.
    static func standardRule(
        aggregate: @escaping @Sendable (_ round: Int, _ request: GenerationRequest) -> String = { _, _ in
            "Fused: 9 eggs at $2 make 18. The answer is 18."
        }
    ) -> RuleBackend.Rule {
        { request, earlier in
            if request.isAggregation {
                return aggregate(earlier.filter(\.isAggregation).count + 1, request)
            }
            return sampleText(seed: request.sampling.seed)
        }
    }

    /// One fake model of a session.
    struct Model {
        var id: String
        var backend: any ModelBackend
        var slots: Int? = nil
        var promptStyle: PromptStyle = .chat
    }

    /// A session whose clients are the given fakes (no probing, no network).
    static func session(_ models: [Model], store: Store? = nil, run: String? = nil) -> PoolSession {
        let candidates = models.map { model in
            Candidate(
                id: model.id, kind: .llamaServer, urls: ["http://127.0.0.1:1"], model: model.id,
                promptStyle: model.promptStyle)
        }
        let probes = models.map { model in
            ProbeResult(
                candidateID: model.id, reachable: true, slots: model.slots, modelIdentity: "fake:\(model.id)",
                capabilities: Capabilities(chat: true, completion: true, scoring: .exact))
        }
        let ledger = UsageLedger()
        let clients = zip(candidates, zip(models, probes)).map { candidate, pair in
            ModelClient(candidate: candidate, probe: pair.1, backend: pair.0.backend, store: store, ledger: ledger, run: run)
        }
        let pool = Pool(path: "/tmp/fake-pool.json", fingerprint: "fake-pool", candidates: candidates)
        return PoolSession(pool: pool, probes: probes, clients: clients, ledger: ledger, store: store)
    }

    /// An ensemble over the given experts (no router data unless given).
    static func spec(
        mode: EnsembleMode = .selfMoA, experts: [EnsembleSpec.Expert], aggregator: String,
        settings: EnsembleSpec.Settings = EnsembleSpec.Settings(), taskType: TaskType? = .number,
        router: RouterData = RouterData(vectors: .tfidf(TextVectorizer()), items: []),
        demonstrations: [TaskItem] = []
    ) -> EnsembleSpec {
        EnsembleSpec(
            task: "fake", taskType: taskType, mode: mode, reason: "built by a test", experts: experts,
            aggregator: aggregator, settings: settings, poolPath: "/tmp/fake-pool.json", poolFingerprint: "fake-pool",
            kshotPath: "/tmp/fake-kshot.jsonl", kshotFingerprint: "0", demonstrations: demonstrations, router: router)
    }
}
