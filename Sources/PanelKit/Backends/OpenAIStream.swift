import Foundation

/// Reads an OpenAI-style streamed chat or completion response (llama-server, vLLM, OpenAI, Ollama `/v1`).
struct OpenAIStream {
    private(set) var text = ""
    private(set) var tokensIn = 0
    private(set) var tokensOut = 0
    private(set) var finishReason: String?
    private(set) var logprobs: [Double] = []
    private(set) var done = false
    private var pieces = 0
    /// The most pieces accepted: a server that keeps generating past the requested budget is cut
    /// there, as if it had stopped at its limit.
    let tokenLimit: Int

    init(tokenLimit: Int) {
        self.tokenLimit = tokenLimit
    }

    /// Consumes one event; returns the new text it carried.
    mutating func consume(_ event: SSEEvent, candidate: String) throws -> String {
        let data = event.data.trimmingCharacters(in: .whitespaces)
        if data == "[DONE]" {
            done = true
            return ""
        }
        guard !data.isEmpty else { return "" }
        let json: JSONValue
        do {
            json = try JSONParser.parse(data)
        } catch {
            throw BackendError.unexpectedResponse(candidate: candidate, detail: "stream frame is not JSON: \(error)")
        }
        try json.throwIfError(candidate: candidate)
        if let usage = json["usage"], !usage.isNull {
            tokensIn = usage["prompt_tokens"]?.intValue ?? tokensIn
            tokensOut = usage["completion_tokens"]?.intValue ?? tokensOut
        }
        guard let choice = json["choices"]?[0] else { return "" }
        if let reason = choice["finish_reason"]?.stringValue { finishReason = reason }
        for entry in choice["logprobs"]?["content"]?.arrayValue ?? [] {
            if let value = entry["logprob"]?.doubleValue { logprobs.append(value) }
        }
        for value in choice["logprobs"]?["token_logprobs"]?.arrayValue ?? [] {
            if let value = value.doubleValue { logprobs.append(value) }
        }
        let piece = choice["delta"]?["content"]?.stringValue ?? choice["text"]?.stringValue ?? ""
        if !piece.isEmpty {
            guard pieces < tokenLimit else {
                done = true
                finishReason = "length"
                return ""
            }
            pieces += 1
        }
        text += piece
        return piece
    }

    /// The finished generation; token counts fall back to what was seen when the server sent no usage.
    func generation(wantLogprobs: Bool) -> Generation {
        Generation(
            text: text, tokensIn: tokensIn, tokensOut: tokensOut > 0 ? tokensOut : max(pieces, logprobs.count),
            finishReason: finishReason, tokenLogprobs: wantLogprobs && !logprobs.isEmpty ? logprobs : nil)
    }
}
