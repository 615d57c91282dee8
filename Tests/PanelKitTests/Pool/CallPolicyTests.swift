import Testing

@testable import PanelKit

@Suite struct CallPolicyTests {
    @Test func waitsGrowExponentiallyWithinTheJitterBand() {
        let policy = CallPolicy()
        // Step n is min(0.5 s · 2^(n-1), 8 s); the wait lies in [step/2, step].
        for (attempt, step) in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (9, 8.0)] {
            #expect(policy.delay(afterAttempt: attempt, retryAfter: nil, jitter: 0).inSeconds == step / 2)
            #expect(policy.delay(afterAttempt: attempt, retryAfter: nil, jitter: 1).inSeconds == step)
            let middle = policy.delay(afterAttempt: attempt, retryAfter: nil, jitter: 0.5).inSeconds
            #expect(abs(middle - step * 0.75) < 1e-9)
        }
    }

    @Test func retryAfterIsHonouredWhenLongerAndCapped() {
        let policy = CallPolicy()
        #expect(policy.delay(afterAttempt: 1, retryAfter: 3, jitter: 0).inSeconds == 3)
        // A shorter Retry-After does not shorten the backoff.
        #expect(policy.delay(afterAttempt: 4, retryAfter: 0.1, jitter: 1).inSeconds == 4)
        // A server asking for an hour is waited for at most maxRetryAfter.
        #expect(policy.delay(afterAttempt: 1, retryAfter: 3600, jitter: 0).inSeconds == 30)
    }
}

@Suite struct CircuitBreakerTests {
    static let start = ContinuousClock.now

    @Test func opensAfterTheThresholdOfConsecutiveFailures() {
        var breaker = CircuitBreaker(threshold: 3, cooldown: .seconds(10))
        breaker.recordFailure(at: Self.start)
        breaker.recordFailure(at: Self.start)
        #expect(admits(&breaker, at: Self.start))
        breaker.recordSuccess()  // a success in between resets the count
        breaker.recordFailure(at: Self.start)
        breaker.recordFailure(at: Self.start)
        #expect(breaker.state == .closed)
        breaker.recordFailure(at: Self.start)
        #expect(breaker.state == .open(until: Self.start + .seconds(10)))
        #expect(!admits(&breaker, at: Self.start + .seconds(9)))
        #expect(!breaker.isAvailable(at: Self.start + .seconds(9)))
    }

    @Test func afterTheCooldownOneTrialDecides() {
        var breaker = CircuitBreaker(threshold: 1, cooldown: .seconds(10))
        breaker.recordFailure(at: Self.start)
        let later = Self.start + .seconds(10)
        #expect(breaker.isAvailable(at: later))
        #expect(admits(&breaker, at: later))
        #expect(breaker.state == .halfOpen)
        #expect(!admits(&breaker, at: later))  // only one trial at a time
        breaker.recordFailure(at: later)
        #expect(breaker.state == .open(until: later + .seconds(10)))
        #expect(admits(&breaker, at: later + .seconds(10)))
        breaker.recordSuccess()
        #expect(breaker.state == .closed)
        #expect(breaker.consecutiveFailures == 0)
    }

    @Test func anAbandonedTrialLeavesTheNextCallToTry() {
        var breaker = CircuitBreaker(threshold: 1, cooldown: .seconds(10))
        breaker.recordFailure(at: Self.start)
        let later = Self.start + .seconds(11)
        #expect(admits(&breaker, at: later))
        breaker.recordAbandoned(at: later)
        #expect(admits(&breaker, at: later))
    }
}

/// `breaker.admits(at:)`, callable inside `#expect` (which cannot take a mutating call).
private func admits(_ breaker: inout CircuitBreaker, at now: ContinuousClock.Instant) -> Bool {
    breaker.admits(at: now)
}
