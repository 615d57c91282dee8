import Foundation

/// An `HTTPTransport` that drives libcurl directly.
///
/// Each transfer runs libcurl's blocking loop on a dedicated thread, so a slow model never occupies
/// a thread of Swift's small cooperative pool. Finished handles go back to a pool shared by
/// all copies of the transport, so consecutive requests to the same server reuse its connection.
///
/// Failures end the stream with `HTTPError`: `.connectionRefused`, `.connectTimeout`, `.idleTimeout`
/// (nothing arrived for `request.idleTimeout` after the connection was established; checked
/// every 100 ms, so the error comes up to that much later), `.status` for a non-2xx
/// answer, `.responseTooLarge`, or `.transport` with libcurl's code and message.
/// There is never a total timeout.
///
/// Cancellation: when the consuming task is cancelled (or the stream is dropped), the transfer stops
/// within about 100 ms, even on a silent connection, and the stream
/// is finished with `CancellationError`. A consumer iterating with `for try await` sees the loop end
/// quietly instead; it should call `Task.checkCancellation()` afterwards, as `send` does.
public struct CurlTransport: HTTPTransport {
    private let pool: CurlHandlePool

    /// Creates a transport with its own connection pool.
    ///
    /// - Parameter maxIdleHandles: how many finished handles (each with its open connections) are kept
    ///   for reuse; about the number of requests expected to run at once.
    public init(maxIdleHandles: Int = 16) {
        pool = CurlHandlePool(capacity: maxIdleHandles)
    }

    /// Sends the request on a new thread and streams the body of a 2xx response in chunks as they arrive.
    public func stream(_ request: HTTPRequest) -> AsyncThrowingStream<Data, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        let flag = CancellationFlag()
        continuation.onTermination = { termination in
            if case .cancelled = termination { flag.cancel() }
        }
        let pool = self.pool
        Thread {
            // Named from inside: on Linux, a name set before `start()` never reaches the OS thread.
            Thread.current.name = "panel-curl"
            CurlTransfer.run(request, into: continuation, flag: flag, pool: pool)
        }.start()
        return stream
    }
}
