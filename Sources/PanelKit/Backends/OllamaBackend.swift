import Foundation

/// Ollama's native API: `/api/chat`, raw `/api/generate`, NDJSON streaming.
///
/// Ollama has no `n`, no prompt log-probabilities and no user grammar: samples are independent
/// requests (callers vary the seed), and scoring is approximated from top-20 generated-token
/// log-probabilities, one request per token.
public struct OllamaBackend: ModelBackend {
    let connection: ServerConnection
    /// The longest continuation scored token by token; beyond it the score covers a prefix.
    var maxScoredTokens = 192

    init(connection: ServerConnection) {
        self.connection = connection
    }

    private var id: String { connection.id }

    /// An adapter is served by Ollama as a model of its own (`ollama create … ADAPTER`).
    private var modelName: String { connection.candidate.adapter?.name ?? connection.candidate.model }

    private func options(_ sampling: Sampling) -> JSONValue {
        var options: JSONObject = [
            "temperature": .number(sampling.temperature), "num_predict": .int(sampling.maxTokens),
        ]
        if let topP = sampling.topP { options["top_p"] = .number(topP) }
        if let topK = sampling.topK { options["top_k"] = .int(topK) }
        if let seed = sampling.seed { options["seed"] = .int(seed) }
        if !sampling.stop.isEmpty { options["stop"] = .strings(sampling.stop) }
        return .object(options)
    }

    public func generate(_ request: GenerationRequest, onText: @escaping @Sendable (String) -> Void) async throws
        -> Generation
    {
        var body: JSONObject = ["model": .string(modelName), "stream": true, "options": options(request.sampling)]
        let path: String
        switch request.prompt {
        case .chat(let messages):
            path = "/api/chat"
            body["messages"] = .array(messages.map(\.json))
        case .text(let text):
            path = "/api/generate"
            body["prompt"] = .string(text)
            body["raw"] = true
        }
        if let top = request.topLogprobs {
            body["logprobs"] = true
            body["top_logprobs"] = .int(min(max(top, 1), 20))
        }
        let frozen = body
        return try await connection.generateWithSlot { url in
            var generation = Generation(text: "")
            var logprobs: [Double] = []
            var pieces = 0
            let lines = connection.transport.jsonLines(try connection.request("POST", url, path, body: .object(frozen)))
            for try await line in lines {
                try line.throwIfError(candidate: id)
                let piece = line["message"]?["content"]?.stringValue ?? line["response"]?.stringValue ?? ""
                if !piece.isEmpty {
                    // A server generating past the requested budget is cut there.
                    guard pieces < request.sampling.maxTokens else {
                        generation.finishReason = "length"
                        generation.tokensOut = pieces
                        break
                    }
                    pieces += 1
                    generation.text += piece
                    onText(piece)
                }
                for entry in line["logprobs"]?.arrayValue ?? [] {
                    if let value = entry["logprob"]?.doubleValue { logprobs.append(value) }
                }
                if line["done"]?.boolValue == true {
                    generation.tokensIn = line["prompt_eval_count"]?.intValue ?? 0
                    generation.tokensOut = line["eval_count"]?.intValue ?? 0
                    generation.finishReason = line["done_reason"]?.stringValue
                    break
                }
            }
            if request.topLogprobs != nil { generation.tokenLogprobs = logprobs }
            return generation
        }
    }

    /// Approximates the continuation's log-likelihood: at each step, the longest top-20 token that
    /// continues the reference is taken; when none does, the step gets the lowest listed
    /// log-probability minus one nat, and one character is consumed.
    public func scoreContinuation(_ continuation: String, after prompt: Prompt) async throws -> ContinuationScore {
        var context: String
        switch prompt {
        case .text(let text): context = text
        case .chat(let messages):
            let rendered = try await connection.json(
                "POST", "/api/chat",
                body: [
                    "model": .string(modelName), "messages": .array(messages.map(\.json)), "stream": false,
                    "_debug_render_only": true,
                ])
            guard let template = rendered["_debug_info"]?["rendered_template"]?.stringValue else {
                throw BackendError.unsupported(candidate: id, feature: "rendering the chat template for scoring")
            }
            context = template
        }
        var remaining = Substring(continuation)
        var logprobs: [Double] = []
        var scoredBytes = 0
        while !remaining.isEmpty, logprobs.count < maxScoredTokens {
            let step = GenerationRequest(prompt: .text(context), sampling: .greedy(maxTokens: 1), topLogprobs: 20)
            let body: JSONValue = [
                "model": .string(modelName), "prompt": .string(context), "raw": true, "stream": false,
                "options": options(step.sampling), "logprobs": true, "top_logprobs": 20,
            ]
            let result = try await connection.withSlot { url in
                try await connection.json("POST", "/api/generate", body: body, url: url)
            }
            let candidates = (result["logprobs"]?[0]?["top_logprobs"]?.arrayValue ?? []).compactMap {
                entry -> (String, Double)? in
                guard let token = entry["token"]?.stringValue, let lp = entry["logprob"]?.doubleValue else { return nil }
                return (token, lp)
            }
            guard !candidates.isEmpty else {
                throw BackendError.unsupported(candidate: id, feature: "top_logprobs (needs Ollama ≥ 0.12.11)")
            }
            let piece: Substring
            if let best = candidates.filter({ !$0.0.isEmpty && remaining.hasPrefix($0.0) }).max(by: { $0.0.count < $1.0.count }) {
                logprobs.append(best.1)
                piece = remaining.prefix(best.0.count)
            } else {
                logprobs.append((candidates.map(\.1).min() ?? -20) - 1)
                piece = remaining.prefix(1)
            }
            context += piece
            scoredBytes += piece.utf8.count
            remaining = remaining.dropFirst(piece.count)
        }
        return ContinuationScore(tokenLogprobs: logprobs, byteCount: scoredBytes, exact: false)
    }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        try await connection.withSlot { url in
            let result = try await connection.json(
                "POST", "/api/embed", body: ["model": .string(modelName), "input": .strings(texts)], url: url)
            guard let vectors = result["embeddings"]?.arrayValue, vectors.count == texts.count else {
                throw BackendError.unexpectedResponse(candidate: id, detail: "embeddings response has the wrong shape")
            }
            return vectors.map { ($0.arrayValue ?? []).compactMap { $0.doubleValue.map(Float.init) } }
        }
    }

    public func probe() async -> ProbeResult {
        var result = ProbeResult(candidateID: id, reachable: false)
        let (root, latency) = await connection.timedGet("/api/version")
        result.latencyMs = latency
        if case .failure(let error) = root {
            result.error = error.detail
            return result
        }
        result.reachable = true
        let show: JSONValue
        do {
            show = try await connection.json("POST", "/api/show", body: ["model": .string(modelName)])
        } catch {
            result.error = "\((error as? BackendError)?.detail ?? "\(error)") (pull or create the model with ollama first)"
            return result
        }
        let declared = (show["capabilities"]?.arrayValue ?? []).compactMap(\.stringValue)
        if let info = show["model_info"]?.objectValue {
            result.contextSize = info.first { $0.key.hasSuffix(".context_length") }?.value.intValue
        }
        result.modelIdentity = "ollama:\(modelName)@\(show["modified_at"]?.stringValue ?? "")"
        result.slots = 1  // OLLAMA_NUM_PARALLEL defaults to 1; more queue inside Ollama
        var capabilities = Capabilities(lora: connection.candidate.adapter != nil, tokenize: false)
        let chat = try? await connection.probing {
            try await generate(
                GenerationRequest(prompt: .chat([ChatMessage(.user, "Say hi.")]), sampling: .greedy(maxTokens: 1),
                    topLogprobs: 1), onText: { _ in })
        }
        capabilities.chat = chat != nil
        capabilities.logprobs = chat?.tokenLogprobs?.isEmpty == false
        capabilities.completion = declared.isEmpty || declared.contains("completion")
        capabilities.scoring = capabilities.logprobs ? .approx : .none
        capabilities.embeddings = declared.contains("embedding")
        if !capabilities.logprobs {
            result.warnings.append("no generated-token logprobs (Ollama < 0.12.11?): scoring unavailable")
        }
        result.capabilities = capabilities
        return result
    }
}
