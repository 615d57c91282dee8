import Foundation
import Synchronization
import Testing

/// A gate that tasks wait at until the test opens it.
final class Gate: Sendable {
    private let state = Mutex<(isOpen: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// Waits until the gate is open (returns at once if it already is).
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let passes = state.withLock { state -> Bool in
                if state.isOpen { return true }
                state.waiters.append(continuation)
                return false
            }
            if passes { continuation.resume() }
        }
    }

    /// Opens the gate, releasing every waiting task.
    func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Counts how many bodies are running per key, and the most that ever ran at once.
final class InFlightCounter: Sendable {
    private let state = Mutex<(now: [String: Int], peak: [String: Int], finished: Int)>(([:], [:], 0))

    func enter(_ key: String) {
        state.withLock { state in
            state.now[key, default: 0] += 1
            state.peak[key] = max(state.peak[key, default: 0], state.now[key, default: 0])
        }
    }

    func leave(_ key: String) {
        state.withLock { state in
            state.now[key, default: 0] -= 1
            state.finished += 1
        }
    }

    func now(_ key: String) -> Int { state.withLock { $0.now[key, default: 0] } }
    var total: Int { state.withLock { $0.now.values.reduce(0, +) } }
    func peak(_ key: String) -> Int { state.withLock { $0.peak[key, default: 0] } }
    var finished: Int { state.withLock { $0.finished } }
}

/// A value several tasks append to.
final class Collector<Element: Sendable>: Sendable {
    private let state = Mutex<[Element]>([])
    func append(_ element: Element) { state.withLock { $0.append(element) } }
    var values: [Element] { state.withLock { $0 } }
}

/// The operation did not finish in time: the test failed instead of hanging.
struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out: \(what)" }
}

/// Polls `condition` until it holds, failing after `seconds` (a bound against hangs, not a timing assertion).
func waitUntil(
    _ what: String, seconds: Double = 30, sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () -> Bool
) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("never happened: \(what)", sourceLocation: sourceLocation)
            throw TimedOut(what: what)
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Runs `operation`, throwing `TimedOut` if it takes longer than `seconds` (cancelling it).
func withTimeout<T: Sendable>(
    _ seconds: Double, _ what: String, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw TimedOut(what: what)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
