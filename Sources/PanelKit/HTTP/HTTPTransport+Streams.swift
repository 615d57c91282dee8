import Foundation

extension HTTPTransport {
    /// Sends the request and streams the server-sent events of a 2xx `text/event-stream` response.
    ///
    /// Cancelling the consuming task (or dropping the stream) cancels the underlying transfer.
    /// As with any `AsyncThrowingStream`, a cancelled consumer's loop ends quietly: check
    /// `Task.isCancelled` after it before treating the events as complete.
    public func events(_ request: HTTPRequest) -> AsyncThrowingStream<SSEEvent, any Error> {
        parsed(request, with: SSEParser())
    }

    /// Sends the request and streams the JSON documents of a 2xx newline-delimited JSON response.
    ///
    /// A line that is not JSON ends the stream with `HTTPError.malformedBody` naming the URL and the line.
    /// Cancellation behaves as for `events(_:)`.
    public func jsonLines(_ request: HTTPRequest) -> AsyncThrowingStream<JSONValue, any Error> {
        parsed(request, with: NDJSONParser())
    }

    /// Pipes the body through `parser` on a task whose cancellation (when the consumer goes away)
    /// cancels its iteration of the body stream, which in turn cancels the transfer.
    private func parsed<Parser: ChunkParser>(_ request: HTTPRequest, with parser: Parser)
        -> AsyncThrowingStream<Parser.Output, any Error>
    {
        let body = stream(request)
        let (output, continuation) = AsyncThrowingStream<Parser.Output, any Error>.makeStream()
        let task = Task {
            var parser = parser
            do {
                for try await chunk in body {
                    for value in try parser.feed(chunk) { continuation.yield(value) }
                }
                try Task.checkCancellation()
                for value in try parser.finish() { continuation.yield(value) }
                continuation.finish()
            } catch HTTPError.malformedBody(url: "", let reason) {
                continuation.finish(throwing: HTTPError.malformedBody(url: request.url, reason: reason))
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return output
    }
}

/// An incremental body parser that `HTTPTransport` can pipe a chunk stream through.
protocol ChunkParser: Sendable {
    /// What the parser produces.
    associatedtype Output: Sendable
    /// Consumes a chunk and returns what it completed.
    mutating func feed(_ chunk: Data) throws -> [Output]
    /// Ends the input and returns what was left.
    mutating func finish() throws -> [Output]
}

extension SSEParser: ChunkParser {}
extension NDJSONParser: ChunkParser {}
