import Foundation
import Synchronization

/// A candidate ready to be called: its backend, plus recording, caching and retries.
///
/// Every call is recorded in the store; a deterministic call (temperature 0, a fixed seed, scoring,
/// embeddings) whose fingerprint was answered before is served from the store without a model call.
public struct ModelClient: Sendable {
    /// The candidate served.
    public let candidate: Candidate
    /// What the probe found about the candidate's server.
    public let probe: ProbeResult
    let backend: any ModelBackend
    let store: Store?
    let ledger: UsageLedger
    /// The run that calls are recorded under.
    public let run: String?
    /// Retries, deadline and bounds of every call.
    public var policy = CallPolicy()

    /// Creates a client.
    public init(
        candidate: Candidate, probe: ProbeResult, backend: any ModelBackend, store: Store?, ledger: UsageLedger,
        run: String? = nil
    ) {
        self.candidate = candidate
        self.probe = probe
        self.backend = backend
        self.store = store
        self.ledger = ledger
        self.run = run
    }

    /// The candidate's id.
    public var id: String { candidate.id }

    /// The same client counting usage in `ledger` and recording calls under `run`.
    public func with(ledger: UsageLedger, run: String?) -> ModelClient {
        var client = ModelClient(candidate: candidate, probe: probe, backend: backend, store: store, ledger: ledger, run: run)
        client.policy = policy
        return client
    }

    /// Generates one answer; `onText`, if given, receives the text as it streams (once, whole, on a
    /// cache hit). Without a reader, a transfer that breaks mid-answer is retried like any other.
    public func generate(_ request: GenerationRequest, onText: (@Sendable (String) -> Void)? = nil)
        async throws -> Generation
    {
        try checkSize(of: request.prompt)
        let cacheable = request.sampling.isDeterministic
        return try await call(.generate, request: request.json, cacheable: cacheable) { cached in
            guard let generation = Generation(json: cached) else { return nil }
            onText?(generation.text)
            return generation
        } perform: { streamed in
            try await backend.generate(request) { piece in
                guard let onText else { return }
                streamed.markStarted()
                onText(piece)
            }
        } encode: { ($0.json, $0.tokensIn, $0.tokensOut) }
    }

    /// Scores a continuation of a prompt (always deterministic, hence cached).
    public func score(_ continuation: String, after prompt: Prompt) async throws -> ContinuationScore {
        try checkSize(of: prompt, plus: continuation.utf8.count)
        let request: JSONValue = ["prompt": prompt.json, "continuation": .string(continuation)]
        return try await call(.score, request: request, cacheable: true) { ContinuationScore(json: $0) } perform: { _ in
            try await backend.scoreContinuation(continuation, after: prompt)
        } encode: { ($0.json, 0, $0.tokenLogprobs.count) }
    }

    /// Embeds texts (deterministic, hence cached).
    public func embed(_ texts: [String]) async throws -> [[Float]] {
        let request: JSONValue = ["input": .strings(texts)]
        return try await call(.embed, request: request, cacheable: true) { cached in
            cached.arrayValue?.map { ($0.arrayValue ?? []).compactMap { $0.doubleValue.map(Float.init) } }
        } perform: { _ in
            try await backend.embed(texts)
        } encode: { vectors in
            (.array(vectors.map { .array($0.map { .number(Double($0)) }) }), 0, 0)
        }
    }

    private func checkSize(of prompt: Prompt, plus extra: Int = 0) throws {
        let bytes = prompt.byteCount + extra
        guard bytes <= policy.maxPromptBytes else {
            throw BackendError.promptTooLarge(candidate: id, bytes: bytes, limit: policy.maxPromptBytes)
        }
    }

    /// The cache key: the served weights' identity, the operation and the canonical request.
    func fingerprint(_ operation: CallRecord.Operation, _ request: JSONValue) -> String {
        let key: JSONValue = [
            "model": .string(probe.modelIdentity.isEmpty ? candidate.model : probe.modelIdentity),
            "adapter": .optional(candidate.adapter.map { "\($0.name)@\($0.scale)" }),
            "operation": .string(operation.rawValue), "request": request,
        ]
        return SHA256.hexDigest(key.data(sortedKeys: true))
    }

    private func call<T: Sendable>(
        _ operation: CallRecord.Operation, request: JSONValue, cacheable: Bool,
        decode: (JSONValue) -> T?, perform: @escaping @Sendable (StreamFlag) async throws -> T,
        encode: (T) -> (JSONValue, Int, Int)
    ) async throws -> T {
        let fingerprint = fingerprint(operation, request)
        if cacheable, let store, let cached = try await store.cachedResponse(for: fingerprint), let value = decode(cached) {
            let (_, tokensIn, tokensOut) = encode(value)
            var usage = UsageLedger.Usage()
            usage.cacheHits = 1
            usage.tokensIn = tokensIn
            usage.tokensOut = tokensOut
            ledger.add(usage, for: id)
            return value
        }
        let deadline = ContinuousClock.now + policy.callDeadline
        var attempt = 0
        while true {
            attempt += 1
            let flag = StreamFlag()
            let start = ContinuousClock.now
            do {
                guard let value = try await withDeadline(deadline, { try await perform(flag) }) else {
                    throw BackendError.deadlineExceeded(candidate: id, seconds: policy.callDeadline.inSeconds)
                }
                let (response, tokensIn, tokensOut) = encode(value)
                var usage = UsageLedger.Usage()
                usage.calls = 1
                usage.tokensIn = tokensIn
                usage.tokensOut = tokensOut
                ledger.add(usage, for: id)
                try await store?.record(
                    CallRecord(
                        fingerprint: fingerprint, candidate: id, operation: operation, cacheable: cacheable,
                        request: request, response: response, tokensIn: tokensIn, tokensOut: tokensOut,
                        latencyMs: milliseconds(since: start), run: run))
                return value
            } catch {
                if error is CancellationError || Task.isCancelled { throw CancellationError() }
                let backendError = BackendError.classify(error, candidate: id)
                // A call refused before sending (every replica's circuit open) cost no model call.
                if !backendError.wasNotSent {
                    var usage = UsageLedger.Usage()
                    usage.calls = 1
                    usage.errors = 1
                    ledger.add(usage, for: id)
                    try? await store?.record(
                        CallRecord(
                            fingerprint: fingerprint, candidate: id, operation: operation, cacheable: cacheable,
                            request: request, response: nil, latencyMs: milliseconds(since: start),
                            error: String(describing: backendError), run: run))
                }
                // A retry after streamed text would show the reader the start of the answer twice.
                guard backendError.isTransient, attempt < policy.attempts, !flag.started else { throw backendError }
                var retryAfter: Double?
                if case .overloaded(_, let after) = backendError { retryAfter = after }
                let delay = policy.delay(afterAttempt: attempt, retryAfter: retryAfter, jitter: .random(in: 0...1))
                // A wait that would end past the deadline cannot lead to an answer in time.
                guard ContinuousClock.now + delay < deadline else { throw backendError }
                try await Task.sleep(for: delay)
            }
        }
    }
}

/// Records whether a streamed call has already delivered text.
final class StreamFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func markStarted() { value.store(true, ordering: .relaxed) }
    var started: Bool { value.load(ordering: .relaxed) }
}

/// Milliseconds elapsed since `start`.
func milliseconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
}
