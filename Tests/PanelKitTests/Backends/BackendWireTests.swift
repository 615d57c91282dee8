import Foundation
import Synchronization
import Testing

@testable import PanelKit

/// What each backend sends and how it reads what comes back, against a scripted transport.
///
/// The frames are shaped like the servers' real output (llama-server's captured from a real server).
@Suite struct BackendWireTests {
    static let question = [ChatMessage(.system, "Answer briefly."), ChatMessage(.user, "What is 2+3?")]
    static let noAdapters: ScriptedTransport.Handler = { _, _ in .json("[]") }

    static func chat(maxTokens: Int = 8, topLogprobs: Int? = nil) -> GenerationRequest {
        GenerationRequest(prompt: .chat(question), sampling: .greedy(maxTokens: maxTokens), topLogprobs: topLogprobs)
    }

    static func collect(
        _ backend: any ModelBackend, _ request: GenerationRequest
    ) async throws -> (Generation, [String]) {
        let pieces = Collector<String>()
        let generation = try await backend.generate(request) { pieces.append($0) }
        return (generation, pieces.values)
    }

    static let llamaChatFrames = [
        #"{"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],"created":1795492375,"id":"chatcmpl-1","model":"m.gguf","system_fingerprint":"b0-unknown","object":"chat.completion.chunk"}"#,
        #"{"choices":[{"finish_reason":null,"index":0,"delta":{"content":"2 + 3"}}],"created":1795492375,"id":"chatcmpl-1","model":"m.gguf","object":"chat.completion.chunk"}"#,
        #"{"choices":[{"finish_reason":null,"index":0,"delta":{"content":" = 5"}}],"created":1795492375,"id":"chatcmpl-1","model":"m.gguf","object":"chat.completion.chunk"}"#,
        #"{"choices":[{"finish_reason":"stop","index":0,"delta":{}}],"created":1795492375,"id":"chatcmpl-1","model":"m.gguf","object":"chat.completion.chunk"}"#,
        #"{"choices":[],"created":1795492375,"id":"chatcmpl-1","model":"m.gguf","object":"chat.completion.chunk","usage":{"completion_tokens":6,"prompt_tokens":37,"total_tokens":43,"prompt_tokens_details":{"cached_tokens":0}},"timings":{"prompt_n":37}}"#,
    ]

    // MARK: llama-server generation

    @Test func llamaChatStreamingReadsDeltasUsageAndStopsAtDone() async throws {
        let transport = ScriptedTransport([
            "GET /lora-adapters": Self.noAdapters,
            // Anything after [DONE] must not be read: a frame that is not JSON would fail the call.
            "POST /v1/chat/completions": { _, _ in .sse(Self.llamaChatFrames, trailing: ["{not json"]) },
        ])
        let backend = wireBackend(wireCandidate(.llamaServer, model: "qwen"), transport)
        let (generation, pieces) = try await Self.collect(backend, Self.chat(maxTokens: 8))
        #expect(generation.text == "2 + 3 = 5")
        #expect(pieces == ["2 + 3", " = 5"])
        #expect(generation.tokensIn == 37)
        #expect(generation.tokensOut == 6)
        #expect(generation.finishReason == "stop")
        #expect(generation.tokenLogprobs == nil)

        let body = try #require(try transport.bodies("POST /v1/chat/completions").first)
        #expect(body["model"] == "qwen")
        #expect(body["messages"] == [
            ["role": "system", "content": "Answer briefly."], ["role": "user", "content": "What is 2+3?"],
        ])
        #expect(body["stream"] == true)
        #expect(body["stream_options"]?["include_usage"] == true)
        #expect(body["max_tokens"] == 8)
        #expect(body["temperature"] == 0)
        #expect(body["lora"] == nil)  // the server has no adapters
        #expect(body["n"] == nil)
        #expect(body["logprobs"] == nil)
        let request = try #require(transport.requests("POST /v1/chat/completions").first)
        #expect(request.headers.contains(HTTPHeader(name: "Content-Type", value: "application/json")))
        #expect(request.url == "http://127.0.0.1:9001/v1/chat/completions")
    }

    @Test func llamaChatReadsTokenLogprobsWhenAsked() async throws {
        let frames = [
            #"{"choices":[{"finish_reason":null,"index":0,"delta":{"content":"5"},"logprobs":{"content":[{"id":20,"token":"5","bytes":[53],"logprob":-0.125,"top_logprobs":[{"id":20,"token":"5","bytes":[53],"logprob":-0.125}]}]}}]}"#,
            #"{"choices":[{"finish_reason":"length","index":0,"delta":{"content":"."},"logprobs":{"content":[{"id":13,"token":".","bytes":[46],"logprob":-2.5,"top_logprobs":[]}]}}]}"#,
        ]
        let transport = ScriptedTransport([
            "GET /lora-adapters": Self.noAdapters, "POST /v1/chat/completions": { _, _ in .sse(frames) },
        ])
        let backend = wireBackend(wireCandidate(.llamaServer), transport)
        let (generation, _) = try await Self.collect(backend, Self.chat(maxTokens: 2, topLogprobs: 0))
        #expect(generation.tokenLogprobs == [-0.125, -2.5])
        #expect(generation.finishReason == "length")
        #expect(generation.tokensOut == 2)  // no usage frame: counted from what arrived
        let body = try #require(try transport.bodies("POST /v1/chat/completions").first)
        #expect(body["logprobs"] == true)
        #expect(body["top_logprobs"] == 1)  // 0 would turn logprobs off
    }

    @Test func llamaNativeCompletionStopsAtStopAndReadsCounts() async throws {
        let frames = [
            #"{"index":0,"content":" Paris","tokens":[7042],"stop":false,"id_slot":-1,"tokens_predicted":1,"tokens_evaluated":5}"#,
            #"{"index":0,"content":".","tokens":[30],"stop":false,"id_slot":-1,"tokens_predicted":2,"tokens_evaluated":5}"#,
            #"{"index":0,"content":"\n","tokens":[198],"stop":false,"id_slot":-1,"tokens_predicted":3,"tokens_evaluated":5}"#,
            #"{"index":0,"content":"","tokens":[],"id_slot":1,"stop":true,"model":"m.gguf","tokens_predicted":3,"tokens_evaluated":5,"has_new_line":true,"truncated":false,"stop_type":"limit","stopping_word":""}"#,
        ]
        let transport = ScriptedTransport([
            "GET /lora-adapters": Self.noAdapters,
            // The native route sends no [DONE]: the stop frame ends the answer, and nothing after it is read.
            "POST /completion": { _, _ in .sse(frames, done: false, trailing: ["{not json"]) },
        ])
        let backend = wireBackend(wireCandidate(.llamaServer), transport)
        let request = GenerationRequest(
            prompt: .text("The capital of France is"),
            sampling: Sampling(temperature: 0.5, topP: 0.9, topK: 20, maxTokens: 3, seed: 11, stop: ["\n\n"]))
        let (generation, pieces) = try await Self.collect(backend, request)
        #expect(generation.text == " Paris.\n")
        #expect(pieces == [" Paris", ".", "\n"])
        #expect(generation.tokensIn == 5)
        #expect(generation.tokensOut == 3)
        #expect(generation.finishReason == "length")  // llama's "limit", named as the OpenAI routes name it

        let body = try #require(try transport.bodies("POST /completion").first)
        #expect(body["prompt"] == "The capital of France is")
        #expect(body["n_predict"] == 3)
        #expect(body["stream"] == true)
        #expect(body["temperature"] == 0.5)
        #expect(body["top_p"] == 0.9)
        #expect(body["top_k"] == 20)
        #expect(body["seed"] == 11)
        #expect(body["stop"] == ["\n\n"])
        #expect(body["n_probs"] == nil)
    }

    @Test(arguments: [("eos", "stop"), ("word", "stop"), ("limit", "length")])
    func llamaStopTypesAreNamedLikeFinishReasons(_ stopType: String, _ reason: String) async throws {
        let frames = [#"{"content":"x","stop":false}"#, #"{"content":"","stop":true,"stop_type":"\#(stopType)"}"#]
        let transport = ScriptedTransport([
            "GET /lora-adapters": Self.noAdapters, "POST /completion": { _, _ in .sse(frames, done: false) },
        ])
        let backend = wireBackend(wireCandidate(.llamaServer), transport)
        let (generation, _) = try await Self.collect(
            backend, GenerationRequest(prompt: .text("a"), sampling: .greedy(maxTokens: 4)))
        #expect(generation.finishReason == reason)
    }

    @Test func aMidStreamErrorFrameFailsTheCall() async throws {
        let frames = [
            Self.llamaChatFrames[1],
            #"{"error":{"code":500,"message":"slot 0 crashed","type":"server_error"}}"#,
            Self.llamaChatFrames[2],
        ]
        let transport = ScriptedTransport([
            "GET /lora-adapters": Self.noAdapters, "POST /v1/chat/completions": { _, _ in .sse(frames) },
        ])
        let backend = wireBackend(wireCandidate(.llamaServer), transport)
        let pieces = Collector<String>()
        let error = await #expect(throws: BackendError.self) {
            _ = try await backend.generate(Self.chat()) { pieces.append($0) }
        }
        guard case .transport(_, .status(500, let message, _, _)) = error else {
            Issue.record("expected the server's error, got \(String(describing: error))")
            return
        }
        #expect(message == "slot 0 crashed")
        #expect(pieces.values == ["2 + 3"])
    }

    @Test func aMidStreamContextErrorIsAContextOverflow() async throws {
        let frames = [
            #"{"error":{"code":400,"message":"request (3031 tokens) exceeds the available context size (1024 tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":3031,"n_ctx":1024}}"#
        ]
        let transport = ScriptedTransport([
            "GET /lora-adapters": Self.noAdapters, "POST /completion": { _, _ in .sse(frames, done: false) },
        ])
        let backend = wireBackend(wireCandidate(.llamaServer), transport)
        let error = await #expect(throws: BackendError.self) {
            _ = try await backend.generate(GenerationRequest(prompt: .text("long"), sampling: .greedy(maxTokens: 4))) { _ in }
        }
        guard case .contextOverflow = error else {
            Issue.record("expected a context overflow, got \(String(describing: error))")
            return
        }
    }

    // MARK: llama-server LoRA

    static let twoAdapters = #"[{"id":0,"path":"/models/lora/math.gguf","scale":1.0,"task_name":"","prompt_prefix":""},{"id":1,"path":"/models/lora/code.gguf","scale":1.0,"task_name":"","prompt_prefix":""}]"#

    static func loraTransport() -> ScriptedTransport {
        ScriptedTransport([
            "GET /lora-adapters": { _, _ in .json(Self.twoAdapters) },
            "POST /v1/chat/completions": { _, _ in .sse(Self.llamaChatFrames) },
            "POST /completion": { _, _ in .sse([#"{"content":"x","stop":true,"stop_type":"eos"}"#], done: false) },
        ])
    }

    @Test func everyRequestCarriesTheFullAdapterList() async throws {
        let transport = Self.loraTransport()
        let backend = wireBackend(wireCandidate(.llamaServer, adapter: AdapterRef(name: "code", scale: 0.5)), transport)
        _ = try await backend.generate(Self.chat()) { _ in }
        _ = try await backend.generate(GenerationRequest(prompt: .text("def f("), sampling: .greedy(maxTokens: 4))) { _ in }
        let expected: JSONValue = [["id": 0, "scale": 0], ["id": 1, "scale": 0.5]]
        #expect(try transport.bodies("POST /v1/chat/completions").map { $0["lora"] } == [expected])
        #expect(try transport.bodies("POST /completion").map { $0["lora"] } == [expected])
        // Adapters are loaded at server start: one look-up serves every later request.
        #expect(transport.requests("GET /lora-adapters").count == 1)
    }

    @Test func aBaseCandidateSendsEveryAdapterAtZero() async throws {
        let transport = Self.loraTransport()
        let backend = wireBackend(wireCandidate(.llamaServer), transport)
        _ = try await backend.generate(Self.chat()) { _ in }
        let body = try #require(try transport.bodies("POST /v1/chat/completions").first)
        #expect(body["lora"] == [["id": 0, "scale": 0], ["id": 1, "scale": 0]])
    }

    @Test func adaptersMatchByIdFileNameOrPath() async throws {
        for adapter in [
            AdapterRef(name: "anything", id: 0, scale: 2), AdapterRef(name: "math.gguf", scale: 2),
            AdapterRef(name: "/models/lora/math.gguf", scale: 2),
        ] {
            let transport = Self.loraTransport()
            _ = try await wireBackend(wireCandidate(.llamaServer, adapter: adapter), transport).generate(Self.chat()) { _ in }
            #expect(try transport.bodies("POST /v1/chat/completions").first?["lora"] == [["id": 0, "scale": 2], ["id": 1, "scale": 0]])
        }
    }

    @Test func anUnknownAdapterIsModelNotFoundAndNothingIsGenerated() async throws {
        let transport = Self.loraTransport()
        let backend = wireBackend(wireCandidate(.llamaServer, adapter: AdapterRef(name: "poetry")), transport)
        let error = await #expect(throws: BackendError.self) { _ = try await backend.generate(Self.chat()) { _ in } }
        guard case .modelNotFound(let candidate, let message) = error else {
            Issue.record("expected modelNotFound, got \(String(describing: error))")
            return
        }
        #expect(candidate == "cand")
        #expect(message.contains("'poetry'"))
        #expect(message.contains("0=math") && message.contains("1=code"))
        #expect(transport.requests("POST /v1/chat/completions").isEmpty)
    }

    @Test func anAdapterOnAServerWithoutAdaptersIsModelNotFound() async throws {
        let transport = ScriptedTransport([
            "GET /lora-adapters": Self.noAdapters, "POST /v1/chat/completions": { _, _ in .sse(Self.llamaChatFrames) },
        ])
        let backend = wireBackend(wireCandidate(.llamaServer, adapter: AdapterRef(name: "math")), transport)
        let error = await #expect(throws: BackendError.self) { _ = try await backend.generate(Self.chat()) { _ in } }
        guard case .modelNotFound = error else {
            Issue.record("expected modelNotFound, got \(String(describing: error))")
            return
        }
        #expect(transport.requests("POST /v1/chat/completions").isEmpty)
    }

    // MARK: llama-server scoring by forced decoding

    static func scoringTransport(reference: [Int], returned: [(Int, Double)]) -> ScriptedTransport {
        var frames = returned.map { id, logprob in
            #"{"content":"t","tokens":[\#(id)],"stop":false,"completion_probabilities":[{"id":\#(id),"token":"t","bytes":[116],"logprob":\#(logprob),"top_logprobs":[{"id":7042,"token":" Paris","logprob":-0.1}]}]}"#
        }
        // The grammar's end: an empty token the scorer must leave out.
        frames.append(#"{"content":"","tokens":[0],"stop":false,"completion_probabilities":[{"id":0,"token":"","bytes":[],"logprob":-13.28,"top_logprobs":[]}]}"#)
        frames.append(#"{"content":"","stop":true,"stop_type":"eos","tokens_predicted":\#(returned.count + 1),"tokens_evaluated":6}"#)
        let final = frames
        return ScriptedTransport([
            "GET /lora-adapters": { _, _ in .json("[]") },
            "POST /apply-template": { _, _ in .json(#"{"prompt":"<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n"}"#) },
            "POST /tokenize": { _, body in
                switch body?["content"]?.stringValue {
                case "The capital of France is": .json(#"{"tokens":[504,3575,282,4649,314]}"#)
                case let text? where text.hasPrefix("<|im_start|>"): .json(#"{"tokens":[1,1,88,99]}"#)
                default: .json(#"{"tokens":\#(reference)}"#)
                }
            },
            "POST /completion": { _, _ in .sse(final, done: false) },
        ])
    }

    @Test func llamaScoringForcesTheReferenceTokens() async throws {
        let transport = Self.scoringTransport(reference: [7042], returned: [(7042, -0.25)])
        let backend = wireBackend(wireCandidate(.llamaServer), transport)
        let score = try await backend.scoreContinuation(" Paris", after: .text("The capital of France is"))
        #expect(score.tokenLogprobs == [-0.25])
        #expect(score.byteCount == 6)
        #expect(score.exact)

        let tokenize = try transport.bodies("POST /tokenize")
        #expect(tokenize.contains(["content": "The capital of France is", "add_special": true, "parse_special": false]))
        #expect(tokenize.contains(["content": " Paris", "add_special": false, "parse_special": false]))
        let body = try #require(try transport.bodies("POST /completion").first)
        #expect(body["prompt"] == [504, 3575, 282, 4649, 314])
        #expect(body["grammar"] == "root ::= <[7042]>")
        #expect(body["n_predict"] == 1)
        #expect(body["n_probs"] == 1)
        #expect(body["temperature"] == 0)
    }

    @Test func llamaScoringOfAChatPromptUsesTheTemplateOnce() async throws {
        let transport = Self.scoringTransport(reference: [20, 21], returned: [(20, -1.5), (21, -250)])
        let backend = wireBackend(wireCandidate(.llamaServer), transport)
        let score = try await backend.scoreContinuation("5", after: .chat([ChatMessage(.user, "What is 2+3?")]))
        #expect(score.tokenLogprobs == [-1.5, -100])  // clamped, so one impossible token cannot dominate
        let templated = try transport.bodies("POST /apply-template")
        #expect(templated == [["messages": [["role": "user", "content": "What is 2+3?"]]]])
        let tokenize = try transport.bodies("POST /tokenize")
        #expect(tokenize.contains { $0["parse_special"] == true && $0["add_special"] == true })
        let body = try #require(try transport.bodies("POST /completion").first)
        #expect(body["prompt"] == [1, 88, 99])  // the doubled BOS removed
        #expect(body["grammar"] == "root ::= <[20]> <[21]>")
        #expect(body["n_predict"] == 2)
    }

    @Test func llamaScoringRejectsOtherTokens() async throws {
        let transport = Self.scoringTransport(reference: [20, 21], returned: [(20, -1.5), (22, -2)])
        let backend = wireBackend(wireCandidate(.llamaServer), transport)
        let error = await #expect(throws: BackendError.self) {
            _ = try await backend.scoreContinuation("5", after: .text("The capital of France is"))
        }
        guard case .unexpectedResponse = error else {
            Issue.record("expected unexpectedResponse, got \(String(describing: error))")
            return
        }
    }

    // MARK: OpenAI-compatible and vLLM

    static let openAIChatFrames = [
        #"{"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null}"#,
        #"{"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,"delta":{"content":"5"},"logprobs":null,"finish_reason":null}],"usage":null}"#,
        #"{"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}"#,
        #"{"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[],"usage":{"prompt_tokens":20,"completion_tokens":1,"total_tokens":21}}"#,
    ]

    @Test func openAISendsTemperatureExplicitlyAndNeverN() async throws {
        let variable = "PANEL_TEST_KEY_\(UInt32.random(in: 0...UInt32.max))"
        setenv(variable, "sk-test-123", 1)
        defer { unsetenv(variable) }
        let transport = ScriptedTransport(fixed: ["POST /v1/chat/completions": .sse(Self.openAIChatFrames)])
        let backend = wireBackend(
            wireCandidate(.openAI, model: "gpt-x", apiKeyVariable: variable, urls: ["https://api.example.com"]), transport)
        let request = GenerationRequest(
            prompt: .chat(Self.question),
            sampling: Sampling(temperature: 0, topK: 5, maxTokens: 16, seed: 3, stop: ["a", "b", "c", "d", "e"]))
        let (generation, pieces) = try await Self.collect(backend, request)
        #expect(generation.text == "5")
        #expect(pieces == ["5"])
        #expect(generation.tokensIn == 20)
        #expect(generation.tokensOut == 1)
        #expect(generation.finishReason == "stop")

        let sent = try #require(transport.requests("POST /v1/chat/completions").first)
        #expect(sent.url == "https://api.example.com/v1/chat/completions")
        #expect(sent.headers.contains(HTTPHeader(name: "Authorization", value: "Bearer sk-test-123")))
        let body = try JSONParser.parse(try #require(sent.body))
        #expect(body["model"] == "gpt-x")
        #expect(body["temperature"] == 0)  // explicit even when 0: server defaults vary
        #expect(body["n"] == nil)
        #expect(body["top_k"] == nil)  // not an OpenAI parameter
        #expect(body["seed"] == 3)
        #expect(body["stop"] == ["a", "b", "c", "d"])  // OpenAI accepts at most four
        #expect(body["max_tokens"] == 16)
        #expect(body["stream"] == true)
    }

    @Test func openAITextCompletionReadsChoiceText() async throws {
        let frames = [
            #"{"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[{"index":0,"text":" Paris","logprobs":{"tokens":[" Paris"],"token_logprobs":[-0.25]},"finish_reason":null}]}"#,
            #"{"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[{"index":0,"text":".","logprobs":{"tokens":["."],"token_logprobs":[-1.0]},"finish_reason":"length"}]}"#,
            #"{"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}"#,
        ]
        let transport = ScriptedTransport(fixed: ["POST /v1/completions": .sse(frames)])
        let backend = wireBackend(wireCandidate(.vllm, model: "base", adapter: AdapterRef(name: "math-lora")), transport)
        let request = GenerationRequest(
            prompt: .text("The capital of France is"), sampling: Sampling(temperature: 0.7, topK: 5, maxTokens: 2),
            topLogprobs: 2)
        let (generation, pieces) = try await Self.collect(backend, request)
        #expect(generation.text == " Paris.")
        #expect(pieces == [" Paris", "."])
        #expect(generation.tokenLogprobs == [-0.25, -1.0])
        #expect(generation.finishReason == "length")
        #expect(generation.tokensIn == 5)
        let body = try #require(try transport.bodies("POST /v1/completions").first)
        #expect(body["model"] == "math-lora")  // vLLM serves an adapter under its own name
        #expect(body["prompt"] == "The capital of France is")
        #expect(body["temperature"] == 0.7)
        #expect(body["top_k"] == 5)
        #expect(body["logprobs"] == 2)
        #expect(body["n"] == nil)
    }

    @Test func aMissingAPIKeyFailsBeforeAnythingIsSent() async throws {
        let variable = "PANEL_TEST_UNSET_\(UInt32.random(in: 0...UInt32.max))"
        let transport = ScriptedTransport(fixed: ["POST /v1/chat/completions": .sse(Self.openAIChatFrames)])
        for kind in [BackendKind.openAI, .vllm, .llamaServer, .ollama] {
            let backend = wireBackend(wireCandidate(kind, apiKeyVariable: variable), transport)
            await #expect(throws: BackendError.missingAPIKey(candidate: "cand", variable: variable)) {
                _ = try await backend.generate(Self.chat()) { _ in }
            }
        }
        #expect(transport.requests.isEmpty)
        let probe = await wireBackend(wireCandidate(.openAI, apiKeyVariable: variable), transport).probe()
        #expect(probe.error?.contains(variable) == true)
        #expect(!probe.reachable)
    }

    @Test func vllmScoringReadsPromptLogprobsAtTheReferenceOffsets() async throws {
        let completion = #"""
            {"id":"cmpl-2","object":"text_completion","model":"base","choices":[{"index":0,"text":"!","logprobs":null,
             "finish_reason":"length","prompt_logprobs":[null,
              {"11":{"logprob":-3.0,"rank":5,"decoded_token":" capital"},"7":{"logprob":-1.0,"rank":1,"decoded_token":" the"}},
              {"12":{"logprob":-2.0,"rank":1,"decoded_token":" of"}},
              {"20":{"logprob":-0.5,"rank":1,"decoded_token":" Par"},"77":{"logprob":-1.5,"rank":2,"decoded_token":" Ber"}},
              {"21":{"logprob":-0.25,"rank":1,"decoded_token":"is"}}]}],
             "usage":{"prompt_tokens":5,"total_tokens":6,"completion_tokens":1}}
            """#
        let transport = ScriptedTransport([
            "POST /tokenize": { _, body in
                body?["prompt"] == " Paris"
                    ? .json(#"{"count":2,"max_model_len":2048,"tokens":[20,21]}"#)
                    : .json(#"{"count":3,"max_model_len":2048,"tokens":[10,11,12]}"#)
            },
            "POST /v1/completions": { _, _ in .json(completion) },
        ])
        let backend = wireBackend(wireCandidate(.vllm, model: "base"), transport)
        let score = try await backend.scoreContinuation(" Paris", after: .text("The capital of"))
        #expect(score.tokenLogprobs == [-0.5, -0.25])
        #expect(score.exact)
        #expect(score.byteCount == 6)

        let tokenize = try transport.bodies("POST /tokenize")
        #expect(tokenize.contains(["model": "base", "prompt": " Paris", "add_special_tokens": false]))
        #expect(tokenize.contains(["model": "base", "prompt": "The capital of"]))
        let body = try #require(try transport.bodies("POST /v1/completions").first)
        #expect(body["prompt"] == [10, 11, 12, 20, 21])
        #expect(body["prompt_logprobs"] == 0)
        #expect(body["max_tokens"] == 1)
        #expect(body["temperature"] == 0)
    }

    @Test func vllmScoringOfAChatPromptTokenizesTheMessages() async throws {
        let completion = #"{"choices":[{"index":0,"text":"!","prompt_logprobs":[null,{"2":{"logprob":-1}},{"30":{"logprob":-0.75}}]}]}"#
        let transport = ScriptedTransport([
            "POST /tokenize": { _, body in
                body?["messages"] != nil ? .json(#"{"tokens":[1,2]}"#) : .json(#"{"tokens":[30]}"#)
            },
            "POST /v1/completions": { _, _ in .json(completion) },
        ])
        let backend = wireBackend(wireCandidate(.vllm, model: "base"), transport)
        let score = try await backend.scoreContinuation("5", after: .chat([ChatMessage(.user, "2+3?")]))
        #expect(score.tokenLogprobs == [-0.75])
        let templated = try #require(try transport.bodies("POST /tokenize").first { $0["messages"] != nil })
        #expect(templated["add_generation_prompt"] == true)
    }

    @Test func plainOpenAICannotScore() async throws {
        let backend = wireBackend(wireCandidate(.openAI), ScriptedTransport(fixed: [:]))
        await #expect(throws: BackendError.unsupported(candidate: "cand", feature: "continuation scoring")) {
            _ = try await backend.scoreContinuation("x", after: .text("y"))
        }
    }

    // MARK: Ollama

    @Test func ollamaChatReadsNDJSONUntilDone() async throws {
        let lines = [
            #"{"model":"qwen2.5:0.5b","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"Hel"},"done":false}"#,
            #"{"model":"qwen2.5:0.5b","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"lo"},"done":false}"#,
            #"{"model":"qwen2.5:0.5b","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"length","total_duration":123,"load_duration":4,"prompt_eval_count":26,"prompt_eval_duration":5,"eval_count":2,"eval_duration":6}"#,
        ]
        let transport = ScriptedTransport(fixed: ["POST /api/chat": .ndjson(lines)])
        let backend = wireBackend(wireCandidate(.ollama, model: "qwen2.5:0.5b", urls: ["http://127.0.0.1:11434"]), transport)
        let request = GenerationRequest(
            prompt: .chat(Self.question), sampling: Sampling(temperature: 0, maxTokens: 2, seed: 4, stop: ["\n"]))
        let (generation, pieces) = try await Self.collect(backend, request)
        #expect(generation.text == "Hello")
        #expect(pieces == ["Hel", "lo"])
        #expect(generation.tokensIn == 26)
        #expect(generation.tokensOut == 2)
        #expect(generation.finishReason == "length")

        let body = try #require(try transport.bodies("POST /api/chat").first)
        #expect(body["model"] == "qwen2.5:0.5b")
        #expect(body["stream"] == true)
        #expect(body["messages"]?.arrayValue?.count == 2)
        #expect(body["options"] == ["temperature": 0, "num_predict": 2, "seed": 4, "stop": ["\n"]])
        #expect(body["temperature"] == nil)  // Ollama reads sampling from options only
    }

    @Test func ollamaRawGenerateReadsResponsePieces() async throws {
        let lines = [
            #"{"model":"m","created_at":"t","response":" Paris","done":false}"#,
            #"{"model":"m","created_at":"t","response":"","done":true,"done_reason":"stop","prompt_eval_count":6,"eval_count":1}"#,
        ]
        let transport = ScriptedTransport(fixed: ["POST /api/generate": .ndjson(lines)])
        let backend = wireBackend(wireCandidate(.ollama, model: "base", adapter: AdapterRef(name: "base-math")), transport)
        let (generation, _) = try await Self.collect(
            backend, GenerationRequest(prompt: .text("The capital of France is"), sampling: .greedy(maxTokens: 4)))
        #expect(generation.text == " Paris")
        #expect(generation.finishReason == "stop")
        #expect(generation.tokensIn == 6)
        let body = try #require(try transport.bodies("POST /api/generate").first)
        #expect(body["raw"] == true)
        #expect(body["prompt"] == "The capital of France is")
        #expect(body["model"] == "base-math")  // an adapter is served as a model of its own
    }

    @Test func ollamaScoringApproximatesFromTopLogprobs() async throws {
        // Step by step: the longest listed token that continues the reference is taken.
        let transport = ScriptedTransport([
            "POST /api/generate": { _, body in
                switch body?["prompt"]?.stringValue {
                case "The capital of France is":
                    .json(#"{"response":" P","done":true,"logprobs":[{"token":" P","logprob":-0.1,"top_logprobs":[{"token":" P","logprob":-0.1},{"token":" Par","logprob":-0.5},{"token":" Ber","logprob":-3.0}]}]}"#)
                case "The capital of France is Par":
                    .json(#"{"response":"is","done":true,"logprobs":[{"token":"is","logprob":-0.2,"top_logprobs":[{"token":"is","logprob":-0.2}]}]}"#)
                default:
                    .json(#"{"response":"x","done":true,"logprobs":[{"token":"x","logprob":-1,"top_logprobs":[{"token":"x","logprob":-1},{"token":"y","logprob":-4}]}]}"#)
                }
            }
        ])
        let backend = wireBackend(wireCandidate(.ollama, model: "m"), transport)
        let score = try await backend.scoreContinuation(" Paris!", after: .text("The capital of France is"))
        // " Par", "is", then "!" is not listed: the lowest listed log-probability minus one, one character.
        #expect(score.tokenLogprobs == [-0.5, -0.2, -5])
        #expect(!score.exact)
        #expect(score.byteCount == 7)
        let body = try #require(try transport.bodies("POST /api/generate").first)
        #expect(body["raw"] == true)
        #expect(body["top_logprobs"] == 20)
        #expect(body["options"]?["num_predict"] == 1)
        #expect(body["options"]?["temperature"] == 0)
    }

    @Test func ollamaWithoutLogprobsCannotScore() async throws {
        let transport = ScriptedTransport(fixed: ["POST /api/generate": .json(#"{"response":"x","done":true}"#)])
        let backend = wireBackend(wireCandidate(.ollama), transport)
        let error = await #expect(throws: BackendError.self) { _ = try await backend.scoreContinuation("x", after: .text("y")) }
        guard case .unsupported = error else {
            Issue.record("expected unsupported, got \(String(describing: error))")
            return
        }
    }

    @Test func ollamaMidStreamErrorLineFailsTheCall() async throws {
        let lines = [
            #"{"model":"m","created_at":"t","message":{"role":"assistant","content":"Hel"},"done":false}"#,
            #"{"error":"an error was encountered while running the model: unexpected EOF"}"#,
        ]
        let transport = ScriptedTransport(fixed: ["POST /api/chat": .ndjson(lines)])
        let backend = wireBackend(wireCandidate(.ollama), transport)
        let error = await #expect(throws: BackendError.self) { _ = try await backend.generate(Self.chat()) { _ in } }
        guard case .transport(_, .status(_, let message, _, _)) = error else {
            Issue.record("expected the server's error, got \(String(describing: error))")
            return
        }
        #expect(message.contains("unexpected EOF"))
    }
    // MARK: Probes

    @Test func llamaProbeReadsPropsAndFindsCapabilities() async throws {
        let transport = ScriptedTransport(ScriptedTransport.healthyLlamaServer())
        let scheduler = SlotScheduler()
        let backend = BackendFactory.backend(for: wireCandidate(.llamaServer), transport: transport, scheduler: scheduler)
        let probe = await backend.probe()
        #expect(probe.reachable)
        #expect(probe.error == nil)
        #expect(probe.slots == 4)
        #expect(probe.contextSize == 1024)
        #expect(probe.modelIdentity == "llama-server:SmolLM2-135M-Instruct.Q4_1.gguf")
        #expect(probe.capabilities == Capabilities(
            chat: true, completion: true, maxN: 4, logprobs: true, scoring: .exact, lora: true, embeddings: false,
            tokenize: true))
        #expect(await scheduler.slots(of: "http://127.0.0.1:9001") == 4)
    }

    @Test func aMomentaryFaultDuringTheProbeDoesNotCostACapability() async throws {
        // The first chat and the first forced-decoding request each meet a 503; the probe tries again.
        var routes = ScriptedTransport.healthyLlamaServer()
        let faulted = Mutex<Set<String>>([])
        for route in ["POST /v1/chat/completions", "POST /completion"] {
            let healthy = routes[route]!
            routes[route] = { request, body in
                let first = faulted.withLock { $0.insert(route).inserted }
                return first ? .status(503, #"{"error":{"code":503,"message":"busy","type":"unavailable_error"}}"#) : healthy(request, body)
            }
        }
        let probe = await wireBackend(wireCandidate(.llamaServer), ScriptedTransport(routes)).probe()
        #expect(probe.capabilities.chat)
        #expect(probe.capabilities.completion)
        #expect(probe.capabilities.scoring == .exact)
    }

    @Test func llamaProbeOfALoadingServer() async throws {
        let transport = ScriptedTransport(fixed: [
            "GET /health": .status(503, #"{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}"#)
        ])
        let probe = await wireBackend(wireCandidate(.llamaServer), transport).probe()
        #expect(probe.reachable)
        #expect(probe.error?.contains("loading") == true)
    }

    @Test func llamaProbeOfAStoppedServer() async throws {
        let transport = ScriptedTransport(fixed: ["GET /health": .failure(.connectionRefused(url: "http://127.0.0.1:9001/health"))])
        let probe = await wireBackend(wireCandidate(.llamaServer), transport).probe()
        #expect(!probe.reachable)
        #expect(probe.error?.contains("connection refused") == true)
        #expect(transport.requests.count == 1)
    }
}
