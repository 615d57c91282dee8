import Foundation
import Testing

@testable import PanelKit

/// An error answer of some backend and what it must be classified as.
struct ErrorAnswer: Sendable, CustomTestStringConvertible {
    var name: String
    var code: Int
    var body: String
    var retryAfter: Double?
    var expected: BackendError

    var testDescription: String { name }
}

@Suite struct BackendErrorTests {
    static let c = "cand"

    static let answers: [ErrorAnswer] = [
        // llama-server: {"error":{"code","message","type"}}
        ErrorAnswer(
            name: "llama context overflow", code: 400,
            body: #"{"error":{"code":400,"message":"request (3031 tokens) exceeds the available context size (1024 tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":3031,"n_ctx":1024}}"#,
            expected: .contextOverflow(
                candidate: c, message: "request (3031 tokens) exceeds the available context size (1024 tokens), try increasing it")),
        ErrorAnswer(
            name: "llama loading model", code: 503,
            body: #"{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}"#,
            expected: .loading(candidate: c)),
        ErrorAnswer(
            name: "llama 404 route", code: 404,
            body: #"{"error":{"message":"File Not Found","type":"not_found_error","code":404}}"#,
            expected: .unsupported(candidate: c, feature: "File Not Found")),
        ErrorAnswer(
            name: "llama 501 embeddings", code: 501,
            body: #"{"error":{"code":501,"message":"This server does not support embeddings. Start it with `--embeddings`","type":"not_supported_error"}}"#,
            expected: .unsupported(
                candidate: c, feature: "This server does not support embeddings. Start it with `--embeddings`")),
        ErrorAnswer(
            name: "llama 400 n above slots", code: 400,
            body: #"{"error":{"code":400,"message":"Field 'n': Value must be between 1 <= value <= 2, but got 5","type":"invalid_request_error"}}"#,
            expected: .badRequest(candidate: c, message: "Field 'n': Value must be between 1 <= value <= 2, but got 5")),
        // Overload, with and without Retry-After.
        ErrorAnswer(
            name: "429 with retry-after", code: 429,
            body: #"{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#,
            retryAfter: 7, expected: .overloaded(candidate: c, retryAfter: 7)),
        ErrorAnswer(
            name: "503 busy", code: 503, body: #"{"error":"server busy, please try again.  maximum pending requests exceeded"}"#,
            retryAfter: nil, expected: .overloaded(candidate: c, retryAfter: nil)),
        ErrorAnswer(
            name: "503 with retry-after", code: 503, body: "Service Unavailable", retryAfter: 2,
            expected: .overloaded(candidate: c, retryAfter: 2)),
        // Ollama: {"error":"..."}
        ErrorAnswer(
            name: "ollama model not found", code: 404,
            body: #"{"error":"model \"llama9\" not found, try pulling it first"}"#,
            expected: .modelNotFound(candidate: c, message: #"model "llama9" not found, try pulling it first"#)),
        ErrorAnswer(
            name: "ollama 400", code: 400, body: #"{"error":"invalid options: num_ctx"}"#,
            expected: .badRequest(candidate: c, message: "invalid options: num_ctx")),
        // vLLM, old flat shape: {"object":"error","message":...}
        ErrorAnswer(
            name: "old vLLM model does not exist", code: 404,
            body: #"{"object":"error","message":"The model `qwen-math` does not exist.","type":"NotFoundError","param":null,"code":404}"#,
            expected: .modelNotFound(candidate: c, message: "The model `qwen-math` does not exist.")),
        ErrorAnswer(
            name: "vLLM context overflow", code: 400,
            body: #"{"object":"error","message":"This model's maximum context length is 2048 tokens. However, you requested 3000 tokens (2900 in the messages, 100 in the completion). Please reduce the length of the messages or completion.","type":"BadRequestError","param":null,"code":400}"#,
            expected: .contextOverflow(
                candidate: c,
                message: "This model's maximum context length is 2048 tokens. However, you requested 3000 tokens (2900 in the messages, 100 in the completion). Please reduce the length of the messages or completion.")),
        ErrorAnswer(
            name: "vLLM model not found, nested shape", code: 404,
            body: #"{"error":{"message":"The model `nope` does not exist.","type":"NotFoundError","param":null,"code":404}}"#,
            expected: .modelNotFound(candidate: c, message: "The model `nope` does not exist.")),
        // OpenAI: {"error":{"message","type","param","code"}}
        ErrorAnswer(
            name: "OpenAI model not found", code: 404,
            body: #"{"error":{"message":"The model `gpt-9` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}"#,
            expected: .modelNotFound(candidate: c, message: "The model `gpt-9` does not exist or you do not have access to it.")),
        ErrorAnswer(
            name: "OpenAI context length", code: 400,
            body: #"{"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#,
            expected: .contextOverflow(
                candidate: c,
                message: "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.")),
        ErrorAnswer(
            name: "OpenAI 400 invalid value", code: 400,
            body: #"{"error":{"message":"Invalid value for 'temperature': must be at most 2.","type":"invalid_request_error","param":"temperature","code":null}}"#,
            expected: .badRequest(candidate: c, message: "Invalid value for 'temperature': must be at most 2.")),
        ErrorAnswer(
            name: "FastAPI 422 detail", code: 422, body: #"{"detail":"field required"}"#,
            expected: .badRequest(candidate: c, message: "field required")),
        ErrorAnswer(
            name: "501 plain text", code: 501, body: "Not Implemented",
            expected: .unsupported(candidate: c, feature: "Not Implemented")),
    ]

    @Test(arguments: answers) func errorBodiesAreClassified(_ answer: ErrorAnswer) {
        let message = HTTPError.serverMessage(from: Data(answer.body.utf8))
        let error = HTTPError.status(code: answer.code, message: message, url: "http://127.0.0.1:9001/x", retryAfter: answer.retryAfter)
        #expect(BackendError.classify(error, candidate: Self.c) == answer.expected)
    }

    @Test func otherServerErrorsStayTransportErrorsAndAreRetried() {
        let error = HTTPError.status(code: 500, message: "boom", url: "u", retryAfter: nil)
        #expect(BackendError.classify(error, candidate: Self.c) == .transport(candidate: Self.c, error))
        #expect(BackendError.classify(error, candidate: Self.c).isTransient)
        let gateway = HTTPError.status(code: 502, message: "bad gateway", url: "u", retryAfter: nil)
        #expect(BackendError.classify(gateway, candidate: Self.c).isTransient)
        let forbidden = HTTPError.status(code: 403, message: "no", url: "u", retryAfter: nil)
        #expect(!BackendError.classify(forbidden, candidate: Self.c).isTransient)
    }

    @Test func serverMessagesAreReadFromEveryBodyShape() {
        func message(_ body: String) -> String { HTTPError.serverMessage(from: Data(body.utf8)) }
        #expect(message(#"{"error":{"code":400,"message":"llama says","type":"x"}}"#) == "llama says")
        #expect(message(#"{"error":"ollama says"}"#) == "ollama says")
        #expect(message(#"{"object":"error","message":"vllm says","type":"BadRequestError"}"#) == "vllm says")
        #expect(message(#"{"error":{"message":"openai says","type":"t","param":null,"code":"c"}}"#) == "openai says")
        #expect(message(#"{"detail":"fastapi says"}"#) == "fastapi says")
        #expect(message("  <html>Bad Gateway</html>\n") == "<html>Bad Gateway</html>")
        #expect(message("") == "(empty body)")
    }

    @Test func nonHTTPErrorsAreClassifiedToo() {
        let refused = HTTPError.connectionRefused(url: "http://127.0.0.1:9")
        #expect(BackendError.classify(refused, candidate: Self.c) == .transport(candidate: Self.c, refused))
        #expect(BackendError.classify(refused, candidate: Self.c).isTransient)
        let idle = HTTPError.idleTimeout(url: "u", seconds: 5)
        #expect(BackendError.classify(idle, candidate: Self.c).isTransient)
        let already = BackendError.loading(candidate: "other")
        #expect(BackendError.classify(already, candidate: Self.c) == already)
        struct Odd: Error {}
        guard case .unexpectedResponse(let candidate, _) = BackendError.classify(Odd(), candidate: Self.c) else {
            Issue.record("an unknown error should be an unexpected response")
            return
        }
        #expect(candidate == Self.c)
    }

    @Test func transientnessDrivesRetries() {
        #expect(BackendError.overloaded(candidate: Self.c, retryAfter: nil).isTransient)
        #expect(BackendError.loading(candidate: Self.c).isTransient)
        #expect(!BackendError.contextOverflow(candidate: Self.c, message: "m").isTransient)
        #expect(!BackendError.modelNotFound(candidate: Self.c, message: "m").isTransient)
        #expect(!BackendError.badRequest(candidate: Self.c, message: "m").isTransient)
        #expect(!BackendError.missingAPIKey(candidate: Self.c, variable: "K").isTransient)
    }

    @Test func descriptionsAreOneLineAndNameTheCandidateOnce() {
        let errors: [BackendError] = [
            .contextOverflow(candidate: Self.c, message: "too long"), .modelNotFound(candidate: Self.c, message: "x"),
            .overloaded(candidate: Self.c, retryAfter: 3), .loading(candidate: Self.c),
            .unsupported(candidate: Self.c, feature: "scoring"), .badRequest(candidate: Self.c, message: "x"),
            .missingAPIKey(candidate: Self.c, variable: "OPENAI_API_KEY"),
            .unexpectedResponse(candidate: Self.c, detail: "x"),
            .transport(candidate: Self.c, .connectionRefused(url: "http://127.0.0.1:9")),
        ]
        for error in errors {
            #expect(error.description.hasPrefix("cand: "))
            #expect(!error.detail.contains("cand"))
            #expect(!error.description.contains("\n"))
            #expect(error.candidate == Self.c)
        }
        #expect(BackendError.overloaded(candidate: Self.c, retryAfter: 3).detail == "server overloaded (retry after 3 s)")
        #expect(BackendError.missingAPIKey(candidate: Self.c, variable: "OPENAI_API_KEY").detail.contains("OPENAI_API_KEY"))
    }

    // MARK: Through each backend

    /// Each backend turns the same HTTP failure of a generation into the same classified error.
    @Test(arguments: [BackendKind.llamaServer, .openAI, .vllm, .ollama])
    func backendsClassifyFailedGenerations(_ kind: BackendKind) async throws {
        let notFound = #"{"error":"model \"test-model\" not found, try pulling it first"}"#
        let overflow = #"{"error":{"code":400,"message":"request (5000 tokens) exceeds the available context size (4096 tokens), try increasing it","type":"exceed_context_size_error"}}"#
        let routes: [String: ScriptedTransport.Handler] = [
            "GET /lora-adapters": { _, _ in .json("[]") },
            "POST /v1/chat/completions": { _, _ in .status(404, notFound) },
            "POST /api/chat": { _, _ in .status(404, notFound) },
            "POST /completion": { _, _ in .status(400, overflow) },
            "POST /v1/completions": { _, _ in .status(400, overflow) },
            "POST /api/generate": { _, _ in .status(400, overflow) },
        ]
        let backend = wireBackend(wireCandidate(kind), ScriptedTransport(routes))
        let chat = GenerationRequest(prompt: .chat([ChatMessage(.user, "hi")]), sampling: .greedy(maxTokens: 4))
        await #expect(throws: BackendError.modelNotFound(candidate: "cand", message: #"model "test-model" not found, try pulling it first"#)) {
            _ = try await backend.generate(chat) { _ in }
        }
        let text = GenerationRequest(prompt: .text("hi"), sampling: .greedy(maxTokens: 4))
        await #expect(
            throws: BackendError.contextOverflow(
                candidate: "cand", message: "request (5000 tokens) exceeds the available context size (4096 tokens), try increasing it")
        ) {
            _ = try await backend.generate(text) { _ in }
        }
    }
}
