/// Runs `operation`, cancelling it if it has not finished by `deadline`; returns `nil` then.
///
/// Cancellation is cooperative: the operation's transfers stop at their next check, and their
/// errors are discarded once the deadline has decided the outcome.
public func withDeadline<T: Sendable>(
    _ deadline: ContinuousClock.Instant, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T? {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(until: deadline, clock: .continuous)
            return nil
        }
        defer { group.cancelAll() }
        return try await group.next() ?? nil
    }
}
