/// The health of one endpoint, judged by its recent calls.
///
/// After `threshold` consecutive failures the circuit opens: calls to the endpoint fail at once for
/// `cooldown` instead of each waiting out its own retries against a server that is down. Then one
/// trial call is let through (half-open); its success closes the circuit, its failure opens it again.
public struct CircuitBreaker: Sendable, Hashable {
    /// Where the circuit stands.
    public enum State: Sendable, Hashable {
        /// Calls flow.
        case closed
        /// Calls fail fast until the instant given.
        case open(until: ContinuousClock.Instant)
        /// One trial call is in flight; others wait for its outcome by failing fast.
        case halfOpen
    }

    /// Consecutive failures that open the circuit.
    public var threshold: Int
    /// How long an open circuit stays open.
    public var cooldown: Duration
    /// The current state.
    public private(set) var state: State = .closed
    /// Failures since the last success.
    public private(set) var consecutiveFailures = 0
    /// When the last of them happened.
    public private(set) var lastFailure: ContinuousClock.Instant?

    /// A closed circuit.
    public init(threshold: Int = 5, cooldown: Duration = .seconds(10)) {
        self.threshold = max(1, threshold)
        self.cooldown = cooldown
    }

    /// Whether a call may go out now; an open circuit whose cooldown ended turns half-open and admits this one.
    public mutating func admits(at now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed: return true
        case .halfOpen: return false
        case .open(let until):
            guard now >= until else { return false }
            state = .halfOpen
            return true
        }
    }

    /// Whether a call could go out now, without claiming the half-open trial.
    public func isAvailable(at now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed: true
        case .halfOpen: false
        case .open(let until): now >= until
        }
    }

    /// When an open circuit lets a trial through.
    public var reopensAt: ContinuousClock.Instant? {
        if case .open(let until) = state { until } else { nil }
    }

    /// Notes a call that reached a healthy server.
    public mutating func recordSuccess() {
        consecutiveFailures = 0
        lastFailure = nil
        state = .closed
    }

    /// Notes a call that ended without telling whether the endpoint is healthy (it was cancelled):
    /// a half-open circuit lets the next call be the trial instead.
    public mutating func recordAbandoned(at now: ContinuousClock.Instant) {
        if state == .halfOpen { state = .open(until: now) }
    }

    /// Notes a call that failed because of the endpoint (refused, reset, timed out, 5xx, 429).
    public mutating func recordFailure(at now: ContinuousClock.Instant) {
        consecutiveFailures += 1
        lastFailure = now
        if state == .halfOpen || consecutiveFailures >= threshold { state = .open(until: now + cooldown) }
    }
}
