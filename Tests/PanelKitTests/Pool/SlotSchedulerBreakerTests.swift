import Foundation
import Synchronization
import Testing

@testable import PanelKit

/// `SlotScheduler`'s circuit breakers: failing replicas are skipped, and a request whose every replica
/// is open fails at once.
@Suite struct SlotSchedulerBreakerTests {
    static let a = SlotSchedulerTests.a
    static let b = SlotSchedulerTests.b
    struct Refused: Error {}

    /// Runs one request among `urls` whose body fails on `failing`, returning the URL it got.
    @discardableResult
    static func call(_ scheduler: SlotScheduler, among urls: [String], failing: Set<String>) async throws -> String {
        try await scheduler.withSlot(among: urls) { url in
            if failing.contains(url) { throw Refused() }
            return url
        }
    }

    @Test func aRetryGoesToTheReplicaThatDidNotJustFail() async throws {
        let scheduler = SlotScheduler(breaker: CircuitBreaker(threshold: 5))
        for _ in 0..<4 {
            // Whichever replica the first request gets fails; the retry must get the other.
            let failed = Mutex("")
            await #expect(throws: Refused.self) {
                try await scheduler.withSlot(among: [Self.a, Self.b]) { url in
                    failed.withLock { $0 = url }
                    throw Refused()
                }
            }
            let retried = try await Self.call(scheduler, among: [Self.a, Self.b], failing: [])
            #expect(retried != failed.withLock { $0 })
        }
    }

    @Test func aReplicaWithAnOpenCircuitIsSkipped() async throws {
        let scheduler = SlotScheduler(breaker: CircuitBreaker(threshold: 2, cooldown: .seconds(600)))
        await scheduler.setCapacity(4, for: Self.a)
        // Only `a` is asked, twice, and fails: its circuit opens.
        for _ in 0..<2 {
            await #expect(throws: Refused.self) { try await Self.call(scheduler, among: [Self.a], failing: [Self.a]) }
        }
        #expect(await scheduler.breaker(of: Self.a).reopensAt != nil)
        // With both replicas named, every request fails over to `b`, although `a` has more free slots.
        for _ in 0..<5 {
            #expect(try await Self.call(scheduler, among: [Self.a, Self.b], failing: [Self.a]) == Self.b)
        }
        // Asked alone, `a` fails fast, without the body running.
        let ran = Mutex(false)
        await #expect(throws: EndpointsUnavailable.self) {
            try await scheduler.withSlot(among: [Self.a]) { _ in ran.withLock { $0 = true } }
        }
        #expect(!ran.withLock { $0 })
    }

    @Test func afterTheCooldownATrialThatSucceedsClosesTheCircuit() async throws {
        let scheduler = SlotScheduler(breaker: CircuitBreaker(threshold: 2, cooldown: .milliseconds(100)))
        for _ in 0..<2 {
            await #expect(throws: Refused.self) { try await Self.call(scheduler, among: [Self.a], failing: [Self.a]) }
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await Self.call(scheduler, among: [Self.a], failing: []) == Self.a)
        #expect(await scheduler.breaker(of: Self.a).state == .closed)
    }

    @Test func errorsThatAreNotTheEndpointsFaultDoNotOpenTheCircuit() async throws {
        let scheduler = SlotScheduler(breaker: CircuitBreaker(threshold: 1))
        await #expect(throws: Refused.self) {
            try await scheduler.withSlot(among: [Self.a], isEndpointFailure: { _ in false }) { _ in throw Refused() }
        }
        #expect(await scheduler.breaker(of: Self.a).state == .closed)
        // Cancellation says nothing about the server either.
        await #expect(throws: CancellationError.self) {
            try await scheduler.withSlot(among: [Self.a]) { _ in throw CancellationError() }
        }
        #expect(await scheduler.breaker(of: Self.a).state == .closed)
    }

    @Test func aWaiterFailsWhenTheLastCallInFlightOpensTheCircuit() async throws {
        let scheduler = SlotScheduler(defaultCapacity: 1, breaker: CircuitBreaker(threshold: 1, cooldown: .seconds(60)))
        let gate = Gate()
        let holding = InFlightCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await #expect(throws: Refused.self) {
                    try await scheduler.withSlot(among: [Self.a]) { url in
                        holding.enter(url)
                        await gate.wait()
                        throw Refused()
                    }
                }
            }
            try await waitUntil("the first request holds the slot") { holding.total == 1 }
            group.addTask {
                await #expect(throws: EndpointsUnavailable.self) {
                    try await scheduler.withSlot(among: [Self.a]) { _ in }
                }
            }
            try await Task.sleep(for: .milliseconds(50))
            gate.open()
            try await group.waitForAll()
        }
    }
}
