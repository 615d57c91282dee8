import Foundation
import Synchronization
import Testing

@testable import PanelKit

/// An `HTTPTransport` that answers from a script and keeps every request it was sent.
///
/// Routes are keyed `"METHOD /path"`; a route's handler sees the request and its parsed JSON body.
/// Requests to unknown routes get llama-server's 404 body.
final class ScriptedTransport: HTTPTransport {
    /// What the server does with one request.
    enum Reply: Sendable {
        /// A 2xx body, delivered in these chunks.
        case chunks([String])
        /// A non-2xx answer with this body, as the real transport reports it.
        case status(Int, String, retryAfter: Double? = nil)
        /// A transfer failure.
        case failure(HTTPError)
        /// A 2xx body that delivers these chunks and then stays open until the consumer goes away.
        case chunksThenSilence([String])

        /// A whole JSON body in one chunk.
        static func json(_ text: String) -> Reply { .chunks([text]) }

        /// Server-sent events, one `data:` frame each, every event split across two chunks.
        static func sse(_ frames: [String], done: Bool = true, trailing: [String] = []) -> Reply {
            var chunks: [String] = []
            for frame in frames + (done ? ["[DONE]"] : []) + trailing {
                let event = "data: \(frame)\n\n"
                let middle = event.index(event.startIndex, offsetBy: event.count / 2)
                chunks.append(String(event[..<middle]))
                chunks.append(String(event[middle...]))
            }
            return .chunks(chunks)
        }

        /// Newline-delimited JSON, one line per chunk.
        static func ndjson(_ lines: [String]) -> Reply { .chunks(lines.map { $0 + "\n" }) }
    }

    typealias Handler = @Sendable (HTTPRequest, JSONValue?) -> Reply

    private let routes: [String: Handler]
    private let log = Mutex<[HTTPRequest]>([])

    init(_ routes: [String: Handler]) {
        self.routes = routes
    }

    /// A transport whose routes always give the same reply.
    convenience init(fixed: [String: Reply]) {
        self.init(fixed.mapValues { reply -> Handler in { @Sendable _, _ in reply } })
    }

    static let notFound = #"{"error":{"message":"File Not Found","type":"not_found_error","code":404}}"#

    func stream(_ request: HTTPRequest) -> AsyncThrowingStream<Data, any Error> {
        log.withLock { $0.append(request) }
        let body = request.body.flatMap { try? JSONParser.parse($0) }
        let reply = routes[Self.key(request)].map { $0(request, body) } ?? .status(404, Self.notFound)
        return AsyncThrowingStream { continuation in
            switch reply {
            case .chunks(let chunks):
                for chunk in chunks { continuation.yield(Data(chunk.utf8)) }
                continuation.finish()
            case .status(let code, let body, let retryAfter):
                continuation.finish(
                    throwing: HTTPError.status(
                        code: code, message: HTTPError.serverMessage(from: Data(body.utf8)), url: request.url,
                        retryAfter: retryAfter))
            case .failure(let error):
                continuation.finish(throwing: error)
            case .chunksThenSilence(let chunks):
                for chunk in chunks { continuation.yield(Data(chunk.utf8)) }
            }
        }
    }

    private static func key(_ request: HTTPRequest) -> String {
        let path = URLComponents(string: request.url)?.path ?? request.url
        return "\(request.method) \(path)"
    }

    /// Every request sent, in order.
    var requests: [HTTPRequest] { log.withLock { $0 } }

    /// The requests sent to `route` (`"METHOD /path"`).
    func requests(_ route: String) -> [HTTPRequest] { requests.filter { Self.key($0) == route } }

    /// The JSON bodies of the requests sent to `route`.
    func bodies(_ route: String) throws -> [JSONValue] {
        try requests(route).map { try JSONParser.parse(try #require($0.body)) }
    }
}

extension ScriptedTransport {
    /// Routes of a healthy llama-server with 4 slots and no adapters, enough for a complete probe.
    static func healthyLlamaServer() -> [String: Handler] {
        let forced = [
            #"{"content":" Paris","stop":false,"completion_probabilities":[{"id":7042,"token":" Paris","logprob":-0.26}]}"#,
            #"{"content":"","stop":true,"stop_type":"eos","tokens_evaluated":6,"tokens_predicted":1}"#,
        ]
        let chat = [
            #"{"choices":[{"finish_reason":null,"index":0,"delta":{"content":"Hi"}}]}"#,
            #"{"choices":[{"finish_reason":"length","index":0,"delta":{}}]}"#,
        ]
        return [
            "GET /health": { _, _ in .json(#"{"status":"ok"}"#) },
            "GET /props": { _, _ in
                .json(#"{"total_slots":4,"model_path":"/work/models/SmolLM2-135M-Instruct.Q4_1.gguf","chat_template":"{{ messages }}","default_generation_settings":{"n_ctx":1024}}"#)
            },
            "GET /lora-adapters": { _, _ in .json("[]") },
            "POST /tokenize": { _, _ in .json(#"{"tokens":[7042]}"#) },
            "POST /completion": { _, _ in .sse(forced, done: false) },
            "POST /v1/chat/completions": { _, _ in .sse(chat) },
            "POST /v1/embeddings": { _, _ in
                .status(501, #"{"error":{"code":501,"message":"This server does not support embeddings. Start it with `--embeddings`","type":"not_supported_error"}}"#)
            },
        ]
    }
}

/// A candidate for wire tests.
func wireCandidate(
    _ kind: BackendKind, id: String = "cand", model: String = "test-model", adapter: AdapterRef? = nil,
    apiKeyVariable: String? = nil, urls: [String] = ["http://127.0.0.1:9001"]
) -> Candidate {
    Candidate(id: id, kind: kind, urls: urls, model: model, adapter: adapter, apiKeyVariable: apiKeyVariable)
}

/// The backend for `candidate` over `transport`.
func wireBackend(_ candidate: Candidate, _ transport: ScriptedTransport) -> any ModelBackend {
    BackendFactory.backend(for: candidate, transport: transport, scheduler: SlotScheduler())
}
