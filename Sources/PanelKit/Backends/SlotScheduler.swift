/// Shares the parallel slots of every server among all requests of a Panel process.
///
/// A server queues requests beyond its slots without sending a byte, which would trip the idle
/// timeout of a waiting request; so Panel never sends a server more requests than it has slots.
/// Candidates that share a server (LoRA experts of one base) share its slots, and a candidate
/// with replicas goes to the replica with the most free slots.
public actor SlotScheduler {
    private var capacity: [String: Int] = [:]
    private var inFlight: [String: Int] = [:]
    private var waiters: [(id: Int, urls: [String], continuation: CheckedContinuation<String?, Never>)] = []
    private var nextWaiterID = 0
    private let defaultCapacity: Int

    /// Creates a scheduler; servers whose slots are unknown get `defaultCapacity`.
    public init(defaultCapacity: Int = 1) {
        self.defaultCapacity = defaultCapacity
    }

    /// Sets how many requests `url` may serve at once.
    public func setCapacity(_ slots: Int, for url: String) {
        capacity[url] = max(1, slots)
        wakeWaiters()
    }

    /// The number of slots of `url`.
    public func slots(of url: String) -> Int { capacity[url] ?? defaultCapacity }

    /// Runs `body` holding one slot of the least busy of `urls`, waiting for a free slot if needed.
    public func withSlot<T: Sendable>(
        among urls: [String], _ body: @Sendable (String) async throws -> T
    ) async throws -> T {
        let url = try await acquire(among: urls)
        defer { release(url) }
        return try await body(url)
    }

    private func freeSlots(_ url: String) -> Int { slots(of: url) - inFlight[url, default: 0] }

    private func bestFree(among urls: [String]) -> String? {
        urls.filter { freeSlots($0) > 0 }.max { freeSlots($0) < freeSlots($1) }
    }

    private func acquire(among urls: [String]) async throws -> String {
        try Task.checkCancellation()
        if let url = bestFree(among: urls) {
            inFlight[url, default: 0] += 1
            return url
        }
        let id = nextWaiterID
        nextWaiterID += 1
        let granted: String? = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiters.append((id, urls, continuation))
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
        guard let granted else { throw CancellationError() }
        return granted
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: nil)
    }

    private func release(_ url: String) {
        inFlight[url, default: 1] -= 1
        wakeWaiters()
    }

    private func wakeWaiters() {
        var index = 0
        while index < waiters.count {
            if let url = bestFree(among: waiters[index].urls) {
                inFlight[url, default: 0] += 1
                waiters.remove(at: index).continuation.resume(returning: url)
            } else {
                index += 1
            }
        }
    }
}
