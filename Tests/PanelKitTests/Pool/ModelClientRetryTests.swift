import Foundation
import Testing

@testable import PanelKit

/// `ModelClient`'s retries, deadline and bounds (`CallPolicy`).
@Suite struct ModelClientRetryTests {
    static func client(_ backend: ScriptedBackend, store: Store? = nil, ledger: UsageLedger = UsageLedger()) -> ModelClient {
        ModelClientTests.client(backend, store: store, ledger: ledger)
    }

    static func status(_ code: Int) -> HTTPError { .status(code: code, message: "m", url: "u", retryAfter: nil) }

    @Test(arguments: [500, 502, 503, 504, 429])
    func serverErrorsAreRetried(_ code: Int) async throws {
        let backend = ScriptedBackend([.fail(Self.status(code)), .text(["5"])])
        #expect(try await Self.client(backend).generate(ModelClientTests.greedy()).text == "5")
        #expect(backend.generations == 2)
    }

    @Test(arguments: [400, 401, 403, 404, 422, 501])
    func clientErrorsAreNotRetried(_ code: Int) async throws {
        let backend = ScriptedBackend([.fail(Self.status(code)), .text(["5"])])
        await #expect(throws: BackendError.self) { try await Self.client(backend).generate(ModelClientTests.greedy()) }
        #expect(backend.generations == 1)
    }

    @Test func refusedAndResetConnectionsAreRetried() async throws {
        let backend = ScriptedBackend([
            .fail(HTTPError.connectionRefused(url: "u")),
            .fail(HTTPError.transport(url: "u", code: 56, message: "Connection reset by peer")),
            .text(["5"]),
        ])
        let ledger = UsageLedger()
        #expect(try await Self.client(backend, ledger: ledger).generate(ModelClientTests.greedy()).text == "5")
        #expect(backend.generations == 3)
        #expect(ledger.total.calls == 3)
        #expect(ledger.total.errors == 2)
    }

    @Test func aStreamCutMidAnswerIsRetriedWhenNobodyReadsIt() async throws {
        let cut = HTTPError.transport(url: "u", code: 18, message: "transfer closed with outstanding read data remaining")
        let backend = ScriptedBackend([.streamThenFail(["The ans"], cut), .text(["The answer is 5."])])
        #expect(try await Self.client(backend).generate(ModelClientTests.greedy()).text == "The answer is 5.")
        #expect(backend.generations == 2)
    }

    @Test func attemptsAreBounded() async throws {
        let backend = ScriptedBackend([.fail(Self.status(500))])
        var client = Self.client(backend)
        client.policy.attempts = 4
        await #expect(throws: BackendError.self) { try await client.generate(ModelClientTests.greedy()) }
        #expect(backend.generations == 4)
    }

    @Test func noRetryIsStartedThatWouldEndPastTheDeadline() async throws {
        let backend = ScriptedBackend([.fail(Self.status(503))])
        var client = Self.client(backend)
        // The first wait would be 10–20 s, past the 5 s deadline: the call gives up at once.
        client.policy.baseDelay = .seconds(20)
        client.policy.maxDelay = .seconds(20)
        client.policy.callDeadline = .seconds(5)
        await #expect(throws: BackendError.self) { try await client.generate(ModelClientTests.greedy()) }
        #expect(backend.generations == 1)
    }

    @Test func aCallPastItsDeadlineIsCutAndRecordedAsAnError() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try Store(path: folder.file("panel.sqlite"))
        let backend = ScriptedBackend([.hang])
        let ledger = UsageLedger()
        var client = Self.client(backend, store: store, ledger: ledger)
        client.policy.callDeadline = .milliseconds(200)
        await #expect(throws: BackendError.deadlineExceeded(candidate: "fake", seconds: 0.2)) {
            try await client.generate(ModelClientTests.greedy())
        }
        #expect(ledger.total.errors == 1)
        #expect(try ModelClientTests.outcomes(store).map { $0[0] } == [.text("error")])
    }

    @Test func aPromptOverTheLimitIsNeverSent() async throws {
        let backend = ScriptedBackend([.text(["5"])])
        let ledger = UsageLedger()
        var client = Self.client(backend, ledger: ledger)
        client.policy.maxPromptBytes = 8
        await #expect(throws: BackendError.promptTooLarge(candidate: "fake", bytes: 12, limit: 8)) {
            try await client.generate(ModelClientTests.greedy())
        }
        #expect(backend.generations == 0)
        #expect(ledger.total.calls == 0)
    }

    @Test func aCallRefusedByOpenCircuitsCostsNoCallAndIsNotRetried() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try Store(path: folder.file("panel.sqlite"))
        let open = EndpointsUnavailable(urls: ["http://127.0.0.1:1"], failures: 5, retryIn: .seconds(9))
        let backend = ScriptedBackend([.fail(open), .text(["5"])])
        let ledger = UsageLedger()
        await #expect(throws: BackendError.unavailable(candidate: "fake", open)) {
            try await Self.client(backend, store: store, ledger: ledger).generate(ModelClientTests.greedy())
        }
        #expect(backend.generations == 1)
        #expect(ledger.total.calls == 0)
        #expect(try await store.callCount() == 0)
        #expect("\(open)".contains("failed 5 times in a row; no calls for 9 s"))
    }
}

/// A server that keeps generating past `max_tokens` is cut at the budget.
@Suite struct TokenLimitTests {
    @Test(arguments: [BackendKind.llamaServer, .openAI, .ollama])
    func aModelThatNeverStopsIsCutAtItsTokenLimit(_ kind: BackendKind) async throws {
        let frames = (0..<200).map { _ in #"{"choices":[{"finish_reason":null,"index":0,"delta":{"content":"la "}}]}"# }
        let lines = (0..<200).map { _ in #"{"model":"m","message":{"role":"assistant","content":"la "},"done":false}"# }
        let transport = ScriptedTransport(fixed: [
            "GET /lora-adapters": .json("[]"),
            "POST /v1/chat/completions": .sse(frames, done: false),
            "POST /api/chat": .ndjson(lines),
        ])
        let backend = wireBackend(wireCandidate(kind), transport)
        let generation = try await backend.generate(
            GenerationRequest(prompt: ModelClientTests.question, sampling: .greedy(maxTokens: 5))) { _ in }
        #expect(generation.text == String(repeating: "la ", count: 5))
        #expect(generation.finishReason == "length")
        #expect(generation.tokensOut == 5)
    }
}
