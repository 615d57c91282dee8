import Foundation
import Synchronization

/// llama.cpp's `llama-server`: chat through `/v1/chat/completions`, raw text through `/completion`,
/// continuation scoring by forced decoding with a token-id grammar, and per-request LoRA.
public struct LlamaServerBackend: ModelBackend {
    let connection: ServerConnection
    private let adapters = AdapterTable()

    init(connection: ServerConnection) {
        self.connection = connection
    }

    private var id: String { connection.id }

    // MARK: Generation

    public func generate(_ request: GenerationRequest, onText: @escaping @Sendable (String) -> Void) async throws
        -> Generation
    {
        try await connection.generateWithSlot { url in
            let lora = try await loraList(url: url)
            switch request.prompt {
            case .chat(let messages):
                return try await chat(messages, request, lora: lora, url: url, onText: onText)
            case .text(let text):
                return try await complete(.string(text), request, lora: lora, url: url, onText: onText).generation
            }
        }
    }

    private func samplingFields(_ sampling: Sampling, into body: inout JSONObject) {
        body["temperature"] = .number(sampling.temperature)
        if let topP = sampling.topP { body["top_p"] = .number(topP) }
        if let topK = sampling.topK { body["top_k"] = .int(topK) }
        if let seed = sampling.seed { body["seed"] = .int(seed) }
        if !sampling.stop.isEmpty { body["stop"] = .strings(sampling.stop) }
    }

    private func chat(
        _ messages: [ChatMessage], _ request: GenerationRequest, lora: JSONValue?, url: String,
        onText: @escaping @Sendable (String) -> Void
    ) async throws -> Generation {
        var body = JSONObject()
        body["model"] = .string(connection.candidate.model)
        body["messages"] = .array(messages.map(\.json))
        body["stream"] = true
        body["stream_options"] = ["include_usage": true]
        body["max_tokens"] = .int(request.sampling.maxTokens)
        body["cache_prompt"] = true
        samplingFields(request.sampling, into: &body)
        if let top = request.topLogprobs {
            body["logprobs"] = true
            body["top_logprobs"] = .int(max(top, 1))  // 0 would mean no logprobs at all
        }
        if let lora { body["lora"] = lora }
        var stream = OpenAIStream(tokenLimit: request.sampling.maxTokens)
        for try await event in try connection.events(url, "/v1/chat/completions", body: .object(body)) {
            let piece = try stream.consume(event, candidate: id)
            if !piece.isEmpty { onText(piece) }
            if stream.done { break }
        }
        return stream.generation(wantLogprobs: request.topLogprobs != nil)
    }

    /// Native `/completion`, streamed; returns the generation and the generated tokens' (id, logprob).
    private func complete(
        _ prompt: JSONValue, _ request: GenerationRequest, lora: JSONValue?, url: String, grammar: String? = nil,
        onText: @escaping @Sendable (String) -> Void
    ) async throws -> (generation: Generation, tokens: [(id: Int, logprob: Double)]) {
        var body = JSONObject()
        body["prompt"] = prompt
        body["stream"] = true
        body["n_predict"] = .int(request.sampling.maxTokens)
        body["cache_prompt"] = true
        samplingFields(request.sampling, into: &body)
        if let top = request.topLogprobs { body["n_probs"] = .int(max(top, 1)) }
        if let grammar { body["grammar"] = .string(grammar) }
        if let lora { body["lora"] = lora }
        var text = ""
        var tokens: [(Int, Double)] = []
        var tokensIn = 0
        var tokensOut = 0
        var finish: String?
        var pieces = 0
        for try await event in try connection.events(url, "/completion", body: .object(body)) {
            let json: JSONValue
            do { json = try JSONParser.parse(event.data) } catch {
                throw BackendError.unexpectedResponse(candidate: id, detail: "stream frame is not JSON: \(error)")
            }
            try json.throwIfError(candidate: id)
            if let piece = json["content"]?.stringValue, !piece.isEmpty {
                // A server generating past the requested budget is cut there.
                guard pieces < request.sampling.maxTokens else {
                    finish = "length"
                    tokensOut = pieces
                    break
                }
                pieces += 1
                text += piece
                onText(piece)
            }
            for entry in json["completion_probabilities"]?.arrayValue ?? [] {
                if let tokenID = entry["id"]?.intValue, let logprob = entry["logprob"]?.doubleValue {
                    tokens.append((tokenID, logprob))
                }
            }
            if json["stop"]?.boolValue == true {
                tokensIn = json["tokens_evaluated"]?.intValue ?? 0
                tokensOut = json["tokens_predicted"]?.intValue ?? tokens.count
                finish = json["stop_type"]?.stringValue.map(Self.finishReason(stopType:))
                break  // the native route sends no [DONE]
            }
        }
        let generation = Generation(
            text: text, tokensIn: tokensIn, tokensOut: tokensOut, finishReason: finish,
            tokenLogprobs: request.topLogprobs != nil ? tokens.map(\.1) : nil)
        return (generation, tokens)
    }

    /// The OpenAI-style finish reason for the native route's `stop_type`, so that a generation's
    /// `finishReason` means the same whichever route produced it.
    static func finishReason(stopType: String) -> String {
        switch stopType {
        case "limit": "length"
        case "eos", "word": "stop"
        default: stopType
        }
    }

    // MARK: Scoring by forced decoding

    public func scoreContinuation(_ continuation: String, after prompt: Prompt) async throws -> ContinuationScore {
        try await connection.withSlot { url in
            let promptTokens = try await tokenizePrompt(prompt, url: url)
            let reference = try await tokenize(continuation, addSpecial: false, parseSpecial: false, url: url)
            guard !reference.isEmpty else {
                return ContinuationScore(tokenLogprobs: [], byteCount: continuation.utf8.count, exact: true)
            }
            // A grammar of token literals forces exactly these tokens; the server still reports each
            // token's raw log-probability (before the grammar), which is what scoring needs.
            let grammar = "root ::= " + reference.map { "<[\($0)]>" }.joined(separator: " ")
            let request = GenerationRequest(
                prompt: .text(""), sampling: .greedy(maxTokens: reference.count), topLogprobs: 1)
            let (_, tokens) = try await complete(
                .array(promptTokens.map { .int($0) }), request, lora: try await loraList(url: url), url: url,
                grammar: grammar, onText: { _ in })
            let forced = tokens.prefix(reference.count)
            guard forced.count == reference.count, zip(forced, reference).allSatisfy({ $0.id == $1 }) else {
                throw BackendError.unexpectedResponse(
                    candidate: id,
                    detail: "forced decoding returned \(forced.count) of \(reference.count) tokens or other tokens "
                        + "(does the reference contain an end-of-generation token?)")
            }
            return ContinuationScore(
                tokenLogprobs: forced.map { max($0.logprob, -100) }, byteCount: continuation.utf8.count, exact: true)
        }
    }

    private func tokenizePrompt(_ prompt: Prompt, url: String) async throws -> [Int] {
        switch prompt {
        case .text(let text):
            return try await tokenize(text, addSpecial: true, parseSpecial: false, url: url)
        case .chat(let messages):
            let rendered = try await connection.json(
                "POST", "/apply-template", body: ["messages": .array(messages.map(\.json))], url: url)
            guard let text = rendered["prompt"]?.stringValue else {
                throw BackendError.unexpectedResponse(candidate: id, detail: "/apply-template returned no prompt")
            }
            var tokens = try await tokenize(text, addSpecial: true, parseSpecial: true, url: url)
            // Templates that write the BOS text themselves would otherwise get it twice.
            if tokens.count >= 2, tokens[0] == tokens[1] { tokens.removeFirst() }
            return tokens
        }
    }

    func tokenize(_ text: String, addSpecial: Bool, parseSpecial: Bool, url: String) async throws -> [Int] {
        let result = try await connection.json(
            "POST", "/tokenize",
            body: ["content": .string(text), "add_special": .bool(addSpecial), "parse_special": .bool(parseSpecial)],
            url: url)
        guard let tokens = result["tokens"]?.arrayValue else {
            throw BackendError.unexpectedResponse(candidate: id, detail: "/tokenize returned no tokens")
        }
        return tokens.compactMap { $0.intValue ?? $0["id"]?.intValue }
    }

    // MARK: Embeddings

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        try await connection.withSlot { url in
            let result = try await connection.json(
                "POST", "/v1/embeddings", body: ["input": .strings(texts), "model": .string(connection.candidate.model)],
                url: url)
            return try OpenAICompatibleBackend.embeddings(from: result, count: texts.count, candidate: id)
        }
    }

    // MARK: LoRA

    /// The full adapter list for a request: the candidate's adapter at its scale, every other at 0.
    ///
    /// A missing or empty `lora` field makes llama-server apply its global scales, which start at 1.0
    /// for every loaded adapter even with `--lora-init-without-apply` (backends.md §0.3); so the
    /// complete list is always sent when the server has adapters.
    private func loraList(url: String) async throws -> JSONValue? {
        let loaded = try await adapters.adapters(for: url) { try await fetchAdapters(url: url) }
        guard !loaded.isEmpty else {
            if let adapter = connection.candidate.adapter {
                throw BackendError.modelNotFound(
                    candidate: id, message: "adapter '\(adapter.name)' is not loaded by \(url) (start it with --lora)")
            }
            return nil
        }
        var chosen: Int?
        if let adapter = connection.candidate.adapter {
            chosen = loaded.first { adapter.id != nil ? $0.id == adapter.id : $0.matches(adapter.name) }?.id
            guard chosen != nil else {
                throw BackendError.modelNotFound(
                    candidate: id,
                    message: "adapter '\(adapter.name)' is not among \(url)'s adapters: "
                        + loaded.map { "\($0.id)=\($0.name)" }.joined(separator: ", "))
            }
        }
        let scale = connection.candidate.adapter?.scale ?? 0
        return .array(loaded.map { ["id": .int($0.id), "scale": .number($0.id == chosen ? scale : 0)] })
    }

    private func fetchAdapters(url: String) async throws -> [LoadedAdapter] {
        let list = try await connection.json("GET", "/lora-adapters", url: url)
        return (list.arrayValue ?? []).compactMap { entry in
            guard let adapterID = entry["id"]?.intValue else { return nil }
            let path = entry["path"]?.stringValue ?? ""
            return LoadedAdapter(id: adapterID, path: path, taskName: entry["task_name"]?.stringValue ?? "")
        }
    }

    // MARK: Probe

    public func probe() async -> ProbeResult {
        var result = ProbeResult(candidateID: id, reachable: false)
        let (health, latency) = await connection.timedGet("/health")
        result.latencyMs = latency
        switch health {
        case .failure(.loading):
            result.reachable = true
            result.error = "the server is still loading its model; try again in a few seconds"
            return result
        case .failure(let error):
            result.error = error.detail
            return result
        case .success:
            result.reachable = true
        }
        var capabilities = Capabilities(lora: true)
        var identity = "llama-server"
        if let props = try? await connection.json("GET", "/props") {
            result.slots = props["total_slots"]?.intValue
            result.contextSize = props["default_generation_settings"]?["n_ctx"]?.intValue
            if let path = props["model_path"]?.stringValue {
                identity += ":" + URL(fileURLWithPath: path).lastPathComponent
            }
            capabilities.chat = !(props["chat_template"]?.stringValue ?? "").isEmpty
            if !capabilities.chat { result.warnings.append("the model has no chat template: use the completion style") }
        } else {
            result.warnings.append("/props did not answer: slots and context size unknown")
        }
        if let adapter = connection.candidate.adapter { identity += "+lora:\(adapter.name)@\(adapter.scale)" }
        result.modelIdentity = identity
        capabilities.maxN = result.slots ?? 1
        await connection.scheduler.setCapacity(result.slots ?? 1, for: connection.candidate.urls[0])
        for url in connection.candidate.urls.dropFirst() {
            let props = try? await connection.json("GET", "/props", url: url)
            await connection.scheduler.setCapacity(props?["total_slots"]?.intValue ?? 1, for: url)
        }
        do {
            _ = try await loraList(url: connection.candidate.urls[0])
        } catch {
            result.error = (error as? BackendError)?.detail ?? String(describing: error)
            result.capabilities = capabilities
            return result
        }

        capabilities.tokenize = (try? await connection.probing {
            try await tokenize("Hello", addSpecial: false, parseSpecial: false, url: connection.candidate.urls[0])
        })?.isEmpty == false
        let tiny = GenerationRequest(prompt: .text("The capital of France is"), sampling: .greedy(maxTokens: 1), topLogprobs: 1)
        if let completion = try? await connection.probing({ try await generate(tiny, onText: { _ in }) }) {
            capabilities.completion = true
            capabilities.logprobs = completion.tokenLogprobs?.isEmpty == false
        }
        if capabilities.chat {
            let chat = GenerationRequest(prompt: .chat([ChatMessage(.user, "Say hi.")]), sampling: .greedy(maxTokens: 1))
            capabilities.chat = (try? await connection.probing { try await generate(chat, onText: { _ in }) }) != nil
        }
        if let score = try? await connection.probing({
            try await scoreContinuation(" Paris", after: .text("The capital of France is"))
        }),
            !score.tokenLogprobs.isEmpty, score.tokenLogprobs.allSatisfy(\.isFinite)
        {
            capabilities.scoring = .exact
        } else {
            result.warnings.append("continuation scoring by forced decoding failed: reasoning perplexity unavailable")
        }
        capabilities.embeddings = (try? await connection.probing { try await embed(["probe"]) })?.first?.isEmpty == false
        result.capabilities = capabilities
        return result
    }
}

/// One adapter a llama-server loaded at start-up.
struct LoadedAdapter: Sendable, Hashable {
    let id: Int
    let path: String
    let taskName: String

    var name: String { URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent }

    func matches(_ wanted: String) -> Bool {
        wanted == name || wanted == path || wanted == URL(fileURLWithPath: path).lastPathComponent
            || (!taskName.isEmpty && wanted == taskName)
    }
}

/// Caches each server's adapter list: adapters are loaded only at server start, so one look-up suffices.
final class AdapterTable: Sendable {
    private let cache = Mutex<[String: [LoadedAdapter]]>([:])

    func adapters(for url: String, fetch: () async throws -> [LoadedAdapter]) async throws -> [LoadedAdapter] {
        if let known = cache.withLock({ $0[url] }) { return known }
        let fetched = try await fetch()
        cache.withLock { $0[url] = fetched }
        return fetched
    }
}
