/// Shares the parallel slots of every server, and the machine's cores, among all requests of a Panel process.
///
/// A server queues requests beyond its slots without sending a byte, which would trip the idle
/// timeout of a waiting request; so Panel never sends a server more requests than it has slots.
/// Candidates that share a server (LoRA experts of one base) share its slots, and a candidate
/// with replicas goes to the replica with the most free slots.
///
/// Local servers also share the cores: two llama-servers computing at once with more threads than
/// cores slow each other down badly (their threads spin at barriers). With a core budget, a server
/// becomes busy only while the threads of busy servers fit the budget; waiting requests are served
/// first come, first served, so a server with a steady stream of work cannot starve another.
public actor SlotScheduler {
    private var capacity: [String: Int] = [:]
    private var threads: [String: Int] = [:]
    private var inFlight: [String: Int] = [:]
    private var waiters: [(id: Int, urls: [String], continuation: CheckedContinuation<String?, Never>)] = []
    private var nextWaiterID = 0
    private let defaultCapacity: Int
    private let coreBudget: Int?

    /// Creates a scheduler; servers whose slots are unknown get `defaultCapacity`, and with a
    /// `coreBudget` the threads of busy local servers are kept within it.
    public init(defaultCapacity: Int = 1, coreBudget: Int? = nil) {
        self.defaultCapacity = defaultCapacity
        self.coreBudget = coreBudget
    }

    /// Sets how many requests `url` may serve at once.
    public func setCapacity(_ slots: Int, for url: String) {
        capacity[url] = max(1, slots)
        wakeWaiters()
    }

    /// Declares how many threads the local server at `url` computes with (0 for remote servers).
    public func setThreads(_ count: Int, for url: String) {
        threads[url] = max(0, count)
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

    private var busyThreads: Int {
        inFlight.filter { $0.value > 0 }.map { threads[$0.key] ?? 0 }.reduce(0, +)
    }

    /// Whether starting a request on `url` keeps the busy servers' threads within the budget
    /// (a server that is already busy adds nothing; an idle machine always admits one).
    private func fitsBudget(_ url: String) -> Bool {
        guard let coreBudget, inFlight[url, default: 0] == 0, let needed = threads[url], needed > 0 else { return true }
        let busy = busyThreads
        return busy == 0 || busy + needed <= coreBudget
    }

    private func admissible(among urls: [String]) -> String? {
        urls.filter { freeSlots($0) > 0 && fitsBudget($0) }.max { freeSlots($0) < freeSlots($1) }
    }

    private func acquire(among urls: [String]) async throws -> String {
        try Task.checkCancellation()
        if waiters.isEmpty, let url = admissible(among: urls) {
            inFlight[url, default: 0] += 1
            return url
        }
        let id = nextWaiterID
        nextWaiterID += 1
        let granted: String? = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiters.append((id, urls, continuation))
                wakeWaiters()
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
        wakeWaiters()
    }

    private func release(_ url: String) {
        inFlight[url, default: 1] -= 1
        wakeWaiters()
    }

    private func wakeWaiters() {
        var index = 0
        while index < waiters.count {
            let urls = waiters[index].urls
            if let url = admissible(among: urls) {
                inFlight[url, default: 0] += 1
                waiters.remove(at: index).continuation.resume(returning: url)
            } else if urls.contains(where: { freeSlots($0) > 0 }) {
                break  // held back only by the core budget: nobody behind it may jump the queue
            } else {
                index += 1
            }
        }
    }
}
