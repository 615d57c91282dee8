/// How hard Panel tries one model call, and the bounds it holds every call to.
///
/// A failed call is retried only when waiting may help (refused or reset connections, timeouts,
/// 429 and 5xx); the waits grow exponentially with jitter, so replicas and clients that failed
/// together do not come back in lockstep, and a server's `Retry-After` is honoured when it asks
/// for longer. All attempts of one call share `callDeadline`.
public struct CallPolicy: Sendable, Hashable {
    /// Attempts per call, the first included.
    public var attempts = 4
    /// The wait before the first retry; each further retry doubles it, up to `maxDelay`.
    public var baseDelay: Duration = .milliseconds(500)
    /// The longest computed wait between attempts.
    public var maxDelay: Duration = .seconds(8)
    /// The longest `Retry-After` honoured; a server asking for longer is not waited for.
    public var maxRetryAfter: Duration = .seconds(30)
    /// The time one call may take, all attempts and waits included.
    public var callDeadline: Duration = .seconds(900)
    /// The longest silence tolerated while a response streams in.
    public var idleTimeout: Duration = .seconds(180)
    /// The largest prompt sent, in UTF-8 bytes; a larger one fails before any request.
    public var maxPromptBytes = 1 << 20
    /// The largest response accepted, in bytes.
    public var maxResponseBytes = 16 << 20

    /// The defaults: 4 attempts, waits from 0.5 s to 8 s, a 15-minute call deadline.
    public init() {}

    /// The wait after failed attempt `attempt` (1-based): half the exponential step plus a random
    /// share of the other half (`jitter` in 0...1), or the server's `retryAfter` when that is longer.
    func delay(afterAttempt attempt: Int, retryAfter: Double?, jitter: Double) -> Duration {
        let step = min(baseDelay * (1 << min(attempt - 1, 20)), maxDelay)
        let computed = step / 2 + step / 2 * min(max(jitter, 0), 1)
        guard let retryAfter, retryAfter > 0 else { return computed }
        return max(computed, min(.milliseconds(Int(retryAfter * 1000)), maxRetryAfter))
    }
}
