/// Why a backend call failed, classified so callers can react (retry, skip, tell the user what to do).
public enum BackendError: Error, Equatable, CustomStringConvertible {
    /// The prompt does not fit the model's context.
    case contextOverflow(candidate: String, message: String)
    /// The server does not know the model or adapter.
    case modelNotFound(candidate: String, message: String)
    /// The server is busy or rate-limiting; `retryAfter` in seconds when it said.
    case overloaded(candidate: String, retryAfter: Double?)
    /// The server is still loading the model.
    case loading(candidate: String)
    /// The server lacks what the call needs.
    case unsupported(candidate: String, feature: String)
    /// The server rejected the request as malformed.
    case badRequest(candidate: String, message: String)
    /// An API key environment variable named by the pool is not set.
    case missingAPIKey(candidate: String, variable: String)
    /// The server answered, but not in the shape expected.
    case unexpectedResponse(candidate: String, detail: String)
    /// The transfer itself failed.
    case transport(candidate: String, HTTPError)
    /// Every endpoint of the candidate failed repeatedly just now; the call was not sent.
    case unavailable(candidate: String, EndpointsUnavailable)
    /// The prompt exceeds the configured bound; the call was not sent.
    case promptTooLarge(candidate: String, bytes: Int, limit: Int)
    /// The call, all attempts included, took longer than its deadline.
    case deadlineExceeded(candidate: String, seconds: Double)

    public var description: String { "\(candidate): \(detail)" }

    /// The candidate whose call failed.
    public var candidate: String {
        switch self {
        case .contextOverflow(let c, _), .modelNotFound(let c, _), .overloaded(let c, _), .loading(let c),
            .unsupported(let c, _), .badRequest(let c, _), .missingAPIKey(let c, _), .unexpectedResponse(let c, _),
            .transport(let c, _), .unavailable(let c, _), .promptTooLarge(let c, _, _), .deadlineExceeded(let c, _):
            c
        }
    }

    /// What went wrong, without the candidate's name.
    public var detail: String {
        switch self {
        case .contextOverflow(_, let m): "the prompt does not fit the context: \(m)"
        case .modelNotFound(_, let m): "model or adapter not found: \(m) (check 'model'/'adapter' in the pool file)"
        case .overloaded(_, let after): "server overloaded" + (after.map { " (retry after \(Int($0)) s)" } ?? "")
        case .loading: "the server is still loading its model"
        case .unsupported(_, let feature): "the backend does not support \(feature)"
        case .badRequest(_, let m): "request rejected: \(m)"
        case .missingAPIKey(_, let variable):
            "the environment variable \(variable) (api_key_env in the pool file) is not set"
        case .unexpectedResponse(_, let detail): "unexpected response: \(detail)"
        case .transport(_, let error): error.description
        case .unavailable(_, let error): error.description
        case .promptTooLarge(_, let bytes, let limit):
            "the prompt has \(bytes) bytes, more than the limit of \(limit) (--max-prompt-bytes)"
        case .deadlineExceeded(_, let seconds):
            "no answer within the call deadline of \(String(format: "%g", seconds)) s, retries included (--call-timeout)"
        }
    }

    /// Whether the call never reached a server, so it is no model call to account for.
    public var wasNotSent: Bool {
        switch self {
        case .unavailable, .promptTooLarge, .missingAPIKey: true
        default: false
        }
    }

    /// Whether waiting and retrying may help.
    public var isTransient: Bool {
        switch self {
        case .overloaded, .loading: true
        case .transport(_, let error): error.isTransient
        default: false
        }
    }

    /// Classifies a transfer error from a server into a backend error (backends.md §7 rule 1).
    static func classify(_ error: any Error, candidate: String) -> BackendError {
        if let error = error as? BackendError { return error }
        if let error = error as? EndpointsUnavailable { return .unavailable(candidate: candidate, error) }
        guard let http = error as? HTTPError else {
            return .unexpectedResponse(candidate: candidate, detail: String(describing: error))
        }
        guard case .status(let code, let message, _, let retryAfter) = http else {
            return .transport(candidate: candidate, http)
        }
        let lower = message.lowercased()
        if lower.contains("context length") || lower.contains("context size") || lower.contains("exceed_context")
            || lower.contains("longer than the context") || lower.contains("maximum context")
        {
            return .contextOverflow(candidate: candidate, message: message)
        }
        switch code {
        case 503 where lower.contains("loading"): return .loading(candidate: candidate)
        case 429, 503: return .overloaded(candidate: candidate, retryAfter: retryAfter)
        case 404 where !lower.contains("file not found"): return .modelNotFound(candidate: candidate, message: message)
        case 404, 501: return .unsupported(candidate: candidate, feature: message)
        case 400 where lower.contains("not found"): return .modelNotFound(candidate: candidate, message: message)
        case 400, 422: return .badRequest(candidate: candidate, message: message)
        default: return .transport(candidate: candidate, http)
        }
    }
}
