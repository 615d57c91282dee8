import Foundation
import Testing

@testable import PanelKit

/// `SlotScheduler`: never more requests in flight per URL than it has slots.
///
/// Bodies hold their slot at a `Gate`, so the tests observe the scheduler's state while slots are
/// held rather than relying on how long anything takes.
@Suite struct SlotSchedulerTests {
    static let a = "http://127.0.0.1:9001"
    static let b = "http://127.0.0.1:9002"

    @Test func neverMoreThanCapacityInFlight() async throws {
        let scheduler = SlotScheduler()
        await scheduler.setCapacity(2, for: Self.a)
        let gate = Gate()
        let counter = InFlightCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    try await scheduler.withSlot(among: [Self.a]) { url in
                        counter.enter(url)
                        await gate.wait()
                        counter.leave(url)
                    }
                }
            }
            try await waitUntil("two requests hold slots") { counter.now(Self.a) == 2 }
            // Give the other eight every chance to slip through if the scheduler let them.
            try await Task.sleep(for: .milliseconds(100))
            #expect(counter.now(Self.a) == 2)
            gate.open()
            try await group.waitForAll()
        }
        #expect(counter.peak(Self.a) == 2)
        #expect(counter.finished == 10)
        #expect(counter.now(Self.a) == 0)
    }

    @Test func unknownServersGetTheDefaultCapacity() async throws {
        let scheduler = SlotScheduler(defaultCapacity: 1)
        #expect(await scheduler.slots(of: Self.a) == 1)
        let counter = InFlightCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    try await scheduler.withSlot(among: [Self.a]) { url in
                        counter.enter(url)
                        try await Task.sleep(for: .milliseconds(5))
                        counter.leave(url)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(counter.peak(Self.a) == 1)
        #expect(counter.finished == 6)
    }

    @Test func replicasShareTheLoad() async throws {
        let scheduler = SlotScheduler()
        await scheduler.setCapacity(2, for: Self.a)
        await scheduler.setCapacity(2, for: Self.b)
        let gate = Gate()
        let counter = InFlightCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await scheduler.withSlot(among: [Self.a, Self.b]) { url in
                        counter.enter(url)
                        await gate.wait()
                        counter.leave(url)
                    }
                }
            }
            try await waitUntil("four requests hold slots") { counter.total == 4 }
            #expect(counter.now(Self.a) == 2)
            #expect(counter.now(Self.b) == 2)
            // A fifth waits: both replicas are full.
            group.addTask {
                try await scheduler.withSlot(among: [Self.a, Self.b]) { url in
                    counter.enter(url)
                    counter.leave(url)
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            #expect(counter.finished == 0)
            gate.open()
            try await group.waitForAll()
        }
        #expect(counter.peak(Self.a) == 2)
        #expect(counter.peak(Self.b) == 2)
        #expect(counter.finished == 5)
    }

    @Test func capacityRaisedLaterWakesWaiters() async throws {
        let scheduler = SlotScheduler()
        let gate = Gate()
        let counter = InFlightCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    try await scheduler.withSlot(among: [Self.a]) { url in
                        counter.enter(url)
                        await gate.wait()
                        counter.leave(url)
                    }
                }
            }
            try await waitUntil("one request holds the only slot") { counter.now(Self.a) == 1 }
            await scheduler.setCapacity(3, for: Self.a)
            try await waitUntil("the waiters got the new slots") { counter.now(Self.a) == 3 }
            gate.open()
            try await group.waitForAll()
        }
        #expect(counter.finished == 3)
    }

    @Test func aCancelledWaiterThrowsAndLeaksNoSlot() async throws {
        let scheduler = SlotScheduler()
        await scheduler.setCapacity(1, for: Self.a)
        let gate = Gate()
        let counter = InFlightCounter()
        let holder = Task {
            try await scheduler.withSlot(among: [Self.a]) { url in
                counter.enter(url)
                await gate.wait()
                counter.leave(url)
            }
        }
        try await waitUntil("the holder has the slot") { counter.now(Self.a) == 1 }

        let ran = Collector<String>()
        let waiter = Task {
            try await scheduler.withSlot(among: [Self.a]) { url in ran.append(url) }
        }
        try await Task.sleep(for: .milliseconds(100))  // let it queue for the slot
        waiter.cancel()
        let result = await waiter.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(ran.values.isEmpty)

        gate.open()
        try await holder.value
        // The slot is free again: two more requests get it in turn instead of waiting forever.
        for _ in 0..<2 {
            try await withTimeout(30, "a slot after a cancelled waiter") {
                try await scheduler.withSlot(among: [Self.a]) { url in ran.append(url) }
            }
        }
        #expect(ran.values == [Self.a, Self.a])
    }

    @Test func aTaskCancelledBeforeAskingGetsNoSlot() async throws {
        let scheduler = SlotScheduler()
        let ran = Collector<String>()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await scheduler.withSlot(among: [Self.a]) { url in ran.append(url) }
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ran.values.isEmpty)
        try await withTimeout(30, "the slot is still free") {
            try await scheduler.withSlot(among: [Self.a]) { url in ran.append(url) }
        }
        #expect(ran.values == [Self.a])
    }

    @Test func aFailingBodyReleasesItsSlot() async throws {
        let scheduler = SlotScheduler()
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await scheduler.withSlot(among: [Self.a]) { _ in throw Boom() }
        }
        let url = try await withTimeout(30, "the slot after a failure") {
            try await scheduler.withSlot(among: [Self.a]) { $0 }
        }
        #expect(url == Self.a)
    }
}
