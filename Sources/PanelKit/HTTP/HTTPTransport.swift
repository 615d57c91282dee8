import Foundation

/// Moves HTTP requests over the wire; backends depend on this protocol so unit tests can script responses.
public protocol HTTPTransport: Sendable {
    /// Sends the request and streams the body of a 2xx response in chunks as they arrive.
    ///
    /// A non-2xx response ends the stream with `HTTPError.status`, carrying the server's message.
    /// Cancelling the consuming task ends the transfer promptly.
    func stream(_ request: HTTPRequest) -> AsyncThrowingStream<Data, any Error>
}

extension HTTPTransport {
    /// Sends the request and collects the whole body of a 2xx response.
    ///
    /// Throws `CancellationError` when the calling task is cancelled, rather than returning the
    /// partial body: a cancelled stream's loop simply ends, which would otherwise look like success.
    public func send(_ request: HTTPRequest) async throws -> Data {
        var body = Data()
        for try await chunk in stream(request) { body.append(chunk) }
        try Task.checkCancellation()
        return body
    }

    /// Sends the request and parses the 2xx body as JSON.
    public func sendJSON(_ request: HTTPRequest) async throws -> JSONValue {
        let body = try await send(request)
        do {
            return try JSONParser.parse(body)
        } catch {
            throw HTTPError.malformedBody(url: request.url, reason: error.description)
        }
    }
}
