import Foundation

/// Any OpenAI-compatible endpoint (`openai`), and vLLM (`vllm`), which adds `/tokenize`,
/// scoring through `prompt_logprobs`, and LoRA adapters addressed as model names.
public struct OpenAICompatibleBackend: ModelBackend {
    let connection: ServerConnection
    /// Whether the server is vLLM, with its extras.
    let isVLLM: Bool

    init(connection: ServerConnection, isVLLM: Bool) {
        self.connection = connection
        self.isVLLM = isVLLM
    }

    private var id: String { connection.id }

    /// The model name requests carry: for vLLM an adapter is served under its own name.
    private var modelName: String {
        if isVLLM, let adapter = connection.candidate.adapter { return adapter.name }
        return connection.candidate.model
    }

    public func generate(_ request: GenerationRequest, onText: @escaping @Sendable (String) -> Void) async throws
        -> Generation
    {
        var body = JSONObject()
        body["model"] = .string(modelName)
        let path: String
        switch request.prompt {
        case .chat(let messages):
            path = "/v1/chat/completions"
            body["messages"] = .array(messages.map(\.json))
            if let top = request.topLogprobs {
                body["logprobs"] = true
                body["top_logprobs"] = .int(max(top, 1))
            }
        case .text(let text):
            path = "/v1/completions"
            body["prompt"] = .string(text)
            if let top = request.topLogprobs { body["logprobs"] = .int(max(top, 1)) }
        }
        body["stream"] = true
        body["stream_options"] = ["include_usage": true]
        body["max_tokens"] = .int(request.sampling.maxTokens)
        body["temperature"] = .number(request.sampling.temperature)  // always explicit: server defaults vary
        if let topP = request.sampling.topP { body["top_p"] = .number(topP) }
        if isVLLM, let topK = request.sampling.topK { body["top_k"] = .int(topK) }
        if let seed = request.sampling.seed { body["seed"] = .int(seed) }
        if !request.sampling.stop.isEmpty { body["stop"] = .strings(Array(request.sampling.stop.prefix(4))) }
        let frozen = body
        return try await connection.generateWithSlot { url in
            var stream = OpenAIStream(tokenLimit: request.sampling.maxTokens)
            for try await event in try connection.events(url, path, body: .object(frozen)) {
                let piece = try stream.consume(event, candidate: id)
                if !piece.isEmpty { onText(piece) }
                if stream.done { break }
            }
            return stream.generation(wantLogprobs: request.topLogprobs != nil)
        }
    }

    public func scoreContinuation(_ continuation: String, after prompt: Prompt) async throws -> ContinuationScore {
        guard isVLLM else { throw BackendError.unsupported(candidate: id, feature: "continuation scoring") }
        return try await connection.withSlot { url in
            var promptRequest: JSONObject = ["model": .string(modelName)]
            switch prompt {
            case .chat(let messages):
                promptRequest["messages"] = .array(messages.map(\.json))
                promptRequest["add_generation_prompt"] = true
            case .text(let text):
                promptRequest["prompt"] = .string(text)
            }
            let promptTokens = try await tokens(of: .object(promptRequest), url: url)
            let reference = try await tokens(
                of: ["model": .string(modelName), "prompt": .string(continuation), "add_special_tokens": false], url: url)
            guard !reference.isEmpty else {
                return ContinuationScore(tokenLogprobs: [], byteCount: continuation.utf8.count, exact: true)
            }
            let result = try await connection.json(
                "POST", "/v1/completions",
                body: [
                    "model": .string(modelName), "prompt": .array((promptTokens + reference).map { .int($0) }),
                    "max_tokens": 1, "prompt_logprobs": 0, "temperature": 0,
                ], url: url)
            guard let positions = result["choices"]?[0]?["prompt_logprobs"]?.arrayValue,
                positions.count >= promptTokens.count + reference.count
            else {
                throw BackendError.unexpectedResponse(candidate: id, detail: "no prompt_logprobs in the response")
            }
            var logprobs: [Double] = []
            for (offset, token) in reference.enumerated() {
                guard let value = positions[promptTokens.count + offset]["\(token)"]?["logprob"]?.doubleValue else {
                    throw BackendError.unexpectedResponse(candidate: id, detail: "prompt_logprobs lacks token \(token)")
                }
                logprobs.append(max(value, -100))
            }
            return ContinuationScore(tokenLogprobs: logprobs, byteCount: continuation.utf8.count, exact: true)
        }
    }

    private func tokens(of body: JSONValue, url: String) async throws -> [Int] {
        let result = try await connection.json("POST", "/tokenize", body: body, url: url)
        guard let tokens = result["tokens"]?.arrayValue else {
            throw BackendError.unexpectedResponse(candidate: id, detail: "/tokenize returned no tokens")
        }
        return tokens.compactMap(\.intValue)
    }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        try await connection.withSlot { url in
            let result = try await connection.json(
                "POST", "/v1/embeddings", body: ["model": .string(modelName), "input": .strings(texts)], url: url)
            return try Self.embeddings(from: result, count: texts.count, candidate: id)
        }
    }

    /// Reads `{"data":[{"index","embedding"}]}` in input order.
    static func embeddings(from result: JSONValue, count: Int, candidate: String) throws -> [[Float]] {
        guard let data = result["data"]?.arrayValue, data.count == count else {
            throw BackendError.unexpectedResponse(candidate: candidate, detail: "embeddings response has the wrong shape")
        }
        var vectors = Array(repeating: [Float](), count: count)
        for (position, entry) in data.enumerated() {
            let index = entry["index"]?.intValue ?? position
            guard vectors.indices.contains(index), let values = entry["embedding"]?.arrayValue else {
                throw BackendError.unexpectedResponse(candidate: candidate, detail: "embedding \(position) is malformed")
            }
            vectors[index] = values.compactMap { $0.doubleValue.map(Float.init) }
        }
        return vectors
    }

    public func probe() async -> ProbeResult {
        var result = ProbeResult(candidateID: id, reachable: false)
        do { _ = try connection.authorization() } catch {
            result.error = (error as? BackendError)?.detail ?? String(describing: error)
            return result
        }
        let (models, latency) = await connection.timedGet("/v1/models")
        result.latencyMs = latency
        switch models {
        case .failure(let error):
            result.error = error.detail
            return result
        case .success(let list):
            result.reachable = true
            let served = (list["data"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
            if !served.isEmpty, !served.contains(modelName) {
                result.error = "the server does not serve '\(modelName)' (it serves: \(served.prefix(8).joined(separator: ", ")))"
                return result
            }
            if let entry = (list["data"]?.arrayValue ?? []).first(where: { $0["id"]?.stringValue == modelName }) {
                result.contextSize = entry["max_model_len"]?.intValue
            }
        }
        result.modelIdentity = "\(isVLLM ? "vllm" : "openai"):\(modelName)"
        let slots = isVLLM ? 16 : 4
        result.slots = slots
        for url in connection.candidate.urls { await connection.scheduler.setCapacity(slots, for: url) }

        var capabilities = Capabilities(lora: isVLLM)
        let hello = [ChatMessage(.user, "Say hi.")]
        if let chat = try? await connection.probing({
            try await generate(
                GenerationRequest(prompt: .chat(hello), sampling: .greedy(maxTokens: 1), topLogprobs: 1), onText: { _ in })
        }) {
            capabilities.chat = true
            capabilities.logprobs = chat.tokenLogprobs?.isEmpty == false
        }
        capabilities.completion = (try? await connection.probing {
            try await generate(GenerationRequest(prompt: .text("Hello"), sampling: .greedy(maxTokens: 1)), onText: { _ in })
        }) != nil
        if let many = try? await connection.json(
            "POST", "/v1/chat/completions",
            body: [
                "model": .string(modelName), "messages": .array(hello.map(\.json)), "n": 2, "max_tokens": 1,
                "temperature": 1,
            ]), many["choices"]?.arrayValue?.count == 2
        {
            capabilities.maxN = 8
        }
        if isVLLM {
            capabilities.tokenize = (try? await tokens(
                of: ["model": .string(modelName), "prompt": "Hello"], url: connection.candidate.urls[0]))?.isEmpty == false
            if let score = try? await scoreContinuation(" Paris", after: .text("The capital of France is")),
                score.tokenLogprobs.allSatisfy(\.isFinite)
            {
                capabilities.scoring = .exact
            }
        }
        if !capabilities.chat && !capabilities.completion {
            result.error = "neither chat nor completion requests succeeded"
        }
        capabilities.embeddings = (try? await embed(["probe"]))?.first?.isEmpty == false
        result.capabilities = capabilities
        return result
    }
}
