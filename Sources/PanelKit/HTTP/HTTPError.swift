import Foundation

/// Why an HTTP transfer failed.
public enum HTTPError: Error, Equatable, CustomStringConvertible {
    /// Nothing listens at the address.
    case connectionRefused(url: String)
    /// The connection was not established within the connect timeout.
    case connectTimeout(url: String, seconds: Double)
    /// No byte arrived for longer than the idle timeout.
    case idleTimeout(url: String, seconds: Double)
    /// The server answered with a non-2xx status; `message` is the server's own error message when
    /// the body carried one (`{"error":{"message":…}}`, `{"error":"…"}`, `{"message":…}`), else the body's start.
    case status(code: Int, message: String, url: String, retryAfter: Double?)
    /// The body could not be read as the expected format.
    case malformedBody(url: String, reason: String)
    /// The body exceeded the configured bound.
    case responseTooLarge(url: String, limit: Int)
    /// The transfer was cancelled by the caller.
    case cancelled
    /// Any other transport failure (DNS, TLS, reset connection…), with libcurl's code and message.
    case transport(url: String, code: Int, message: String)

    /// A one-line, lowercase explanation that names the URL, for showing to the user.
    public var description: String {
        switch self {
        case .connectionRefused(let url):
            "connection refused by \(url) (is the server running? 'panel pool up POOL' starts a pool's local servers)"
        case .connectTimeout(let url, let seconds):
            "no connection to \(url) within \(Self.format(seconds)) s"
        case .idleTimeout(let url, let seconds):
            "\(url) sent nothing for \(Self.format(seconds)) s (idle timeout)"
        case .status(let code, let message, let url, _):
            "\(url) answered HTTP \(code): \(message)"
        case .malformedBody(let url, let reason):
            "malformed response from \(url.isEmpty ? "the server" : url): \(reason)"
        case .responseTooLarge(let url, let limit):
            "response from \(url) exceeds the limit of \(limit) bytes"
        case .cancelled:
            "cancelled"
        case .transport(let url, let code, let message):
            "transfer to \(url) failed: \(message) (curl code \(code))"
        }
    }

    /// Whether a retry might succeed: refused or reset connections, timeouts, 429 and server errors
    /// (but 501, which says the server lacks the feature), not other client errors.
    public var isTransient: Bool {
        switch self {
        case .connectionRefused, .connectTimeout, .idleTimeout, .transport: true
        case .status(let code, _, _, _): code == 429 || (500...599).contains(code) && code != 501
        default: false
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds.rounded() == seconds ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }

    /// Extracts the server's own error message from an error body of any of the supported backends.
    public static func serverMessage(from body: Data) -> String {
        if let json = try? JSONParser.parse(body) {
            if let message = json["error"]?["message"]?.stringValue { return message }
            if let message = json["error"]?.stringValue { return message }
            if let message = json["message"]?.stringValue { return message }
            if let message = json["detail"]?.stringValue { return message }
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(empty body)" : text
    }
}
