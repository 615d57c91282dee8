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
///
/// Each endpoint has a ``CircuitBreaker``: a replica that keeps failing is skipped while its circuit
/// is open (its requests fail over to a healthy replica), and when every replica of a request is
/// open the request fails at once with ``EndpointsUnavailable``.
public actor SlotScheduler {
    private var capacity: [String: Int] = [:]
    private var threads: [String: Int] = [:]
    private var inFlight: [String: Int] = [:]
    private var breakers: [String: CircuitBreaker] = [:]
    private var waiters: [(id: Int, urls: [String], continuation: CheckedContinuation<Grant, Never>)] = []
    private var nextWaiterID = 0
    private let defaultCapacity: Int
    private let coreBudget: Int?
    private let breakerTemplate: CircuitBreaker

    /// What a waiting request is handed.
    private enum Grant {
        case slot(String)
        case cancelled
        case unavailable
    }

    /// Creates a scheduler; servers whose slots are unknown get `defaultCapacity`, with a
    /// `coreBudget` the threads of busy local servers are kept within it, and every endpoint gets a
    /// copy of `breaker`.
    public init(defaultCapacity: Int = 1, coreBudget: Int? = nil, breaker: CircuitBreaker = CircuitBreaker()) {
        self.defaultCapacity = defaultCapacity
        self.coreBudget = coreBudget
        self.breakerTemplate = breaker
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

    /// The circuit of `url`.
    public func breaker(of url: String) -> CircuitBreaker { breakers[url] ?? breakerTemplate }

    /// Runs `body` holding one slot of the healthiest, then least busy, of `urls`, waiting for a free
    /// slot if needed; `isEndpointFailure` tells which errors of `body` count against the endpoint.
    public func withSlot<T: Sendable>(
        among urls: [String], isEndpointFailure: @Sendable (any Error) -> Bool = { _ in true },
        _ body: @Sendable (String) async throws -> T
    ) async throws -> T {
        let url = try await acquire(among: urls)
        do {
            let value = try await body(url)
            release(url, outcome: .success)
            return value
        } catch {
            let outcome: Outcome =
                error is CancellationError || Task.isCancelled
                ? .abandoned : isEndpointFailure(error) ? .failure : .success
            release(url, outcome: outcome)
            throw error
        }
    }

    private enum Outcome { case success, failure, abandoned }

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

    /// Whether `url`'s circuit lets calls through now.
    private func isHealthy(_ url: String, at now: ContinuousClock.Instant) -> Bool {
        breaker(of: url).isAvailable(at: now)
    }

    /// The endpoint a request should go to now: among those with a free slot, within the core budget
    /// and with a closed circuit, the one with the fewest consecutive failures, then the one that
    /// failed longest ago (so a retry goes to another replica than the one that just failed), then the
    /// one with the most free slots.
    private func admissible(among urls: [String], at now: ContinuousClock.Instant) -> String? {
        urls.filter { freeSlots($0) > 0 && fitsBudget($0) && isHealthy($0, at: now) }.min { a, b in
            let (first, second) = (breaker(of: a), breaker(of: b))
            if first.consecutiveFailures != second.consecutiveFailures {
                return first.consecutiveFailures < second.consecutiveFailures
            }
            switch (first.lastFailure, second.lastFailure) {
            case (nil, .some): return true
            case (.some, nil): return false
            case (let x?, let y?) where x != y: return x < y
            default: break
            }
            return freeSlots(a) > freeSlots(b)
        }
    }

    /// Takes a slot of `url`, claiming its half-open trial if its circuit was open.
    private func take(_ url: String, at now: ContinuousClock.Instant) {
        inFlight[url, default: 0] += 1
        var circuit = breaker(of: url)
        _ = circuit.admits(at: now)
        breakers[url] = circuit
    }

    private func acquire(among urls: [String]) async throws -> String {
        try Task.checkCancellation()
        let now = ContinuousClock.now
        guard urls.contains(where: { isHealthy($0, at: now) || inFlight[$0, default: 0] > 0 }) else {
            throw unavailable(urls, at: now)
        }
        if waiters.isEmpty, let url = admissible(among: urls, at: now) {
            take(url, at: now)
            return url
        }
        let id = nextWaiterID
        nextWaiterID += 1
        let grant: Grant = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiters.append((id, urls, continuation))
                wakeWaiters()
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
        switch grant {
        case .slot(let url): return url
        case .cancelled: throw CancellationError()
        case .unavailable: throw unavailable(urls, at: .now)
        }
    }

    private func unavailable(_ urls: [String], at now: ContinuousClock.Instant) -> EndpointsUnavailable {
        let reopen = urls.compactMap { breaker(of: $0).reopensAt }.min()
        return EndpointsUnavailable(
            urls: urls, failures: urls.map { breaker(of: $0).consecutiveFailures }.max() ?? 0,
            retryIn: reopen.map { max($0 - now, .zero) } ?? .zero)
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: .cancelled)
        wakeWaiters()
    }

    private func release(_ url: String, outcome: Outcome) {
        inFlight[url, default: 1] -= 1
        let now = ContinuousClock.now
        var circuit = breaker(of: url)
        switch outcome {
        case .success: circuit.recordSuccess()
        case .failure: circuit.recordFailure(at: now)
        case .abandoned: circuit.recordAbandoned(at: now)
        }
        breakers[url] = circuit
        wakeWaiters()
    }

    private func wakeWaiters() {
        let now = ContinuousClock.now
        var index = 0
        while index < waiters.count {
            let urls = waiters[index].urls
            if let url = admissible(among: urls, at: now) {
                take(url, at: now)
                waiters.remove(at: index).continuation.resume(returning: .slot(url))
            } else if !urls.contains(where: { isHealthy($0, at: now) || inFlight[$0, default: 0] > 0 }) {
                // Every endpoint's circuit is open and none has a call in flight that could close it.
                waiters.remove(at: index).continuation.resume(returning: .unavailable)
            } else if urls.contains(where: { freeSlots($0) > 0 && isHealthy($0, at: now) }) {
                break  // held back only by the core budget: nobody behind it may jump the queue
            } else {
                index += 1
            }
        }
    }
}
