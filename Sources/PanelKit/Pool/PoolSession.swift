import Foundation

/// A pool's candidates, probed and ready to call, sharing one transport, store, slot scheduler and ledger.
public struct PoolSession: Sendable {
    /// The pool.
    public let pool: Pool
    /// What probing found, in pool order.
    public let probes: [ProbeResult]
    /// Clients of the candidates that are usable, in pool order.
    public let clients: [ModelClient]
    /// Usage of every call made through this session.
    public let ledger: UsageLedger
    /// The store calls are recorded in.
    public let store: Store?

    /// Probes every candidate of `pool` concurrently and stores the results; every call goes by `policy`.
    ///
    /// With `reuseProbesYoungerThan`, stored results of reachable candidates that recent are used
    /// instead of probing again (a probe costs a few tiny requests per candidate).
    public static func open(
        _ pool: Pool, store: Store?, transport: any HTTPTransport, run: String? = nil,
        reuseProbesYoungerThan maxAge: TimeInterval? = nil, policy: CallPolicy = CallPolicy()
    ) async throws -> PoolSession {
        let scheduler = SlotScheduler(coreBudget: pool.cores)
        for candidate in pool.candidates {
            guard let launch = candidate.launch else { continue }
            for url in candidate.urls { await scheduler.setThreads(launch.threads, for: url) }
        }
        let backends = pool.candidates.map {
            BackendFactory.backend(for: $0, transport: transport, scheduler: scheduler, policy: policy)
        }
        let stored = try await store?.probes(pool: pool.fingerprint) ?? [:]
        let probes = await withTaskGroup(of: (Int, ProbeResult).self) { group in
            for (index, candidate) in pool.candidates.enumerated() {
                if let maxAge, let previous = stored[candidate.id], previous.age < maxAge, previous.result.reachable,
                    previous.result.error == nil
                {
                    group.addTask {
                        for url in candidate.urls {
                            await scheduler.setCapacity(previous.result.slots ?? 1, for: url)
                        }
                        return (index, previous.result)
                    }
                } else {
                    group.addTask { (index, await backends[index].probe()) }
                }
            }
            var results = [ProbeResult?](repeating: nil, count: pool.candidates.count)
            for await (index, result) in group { results[index] = result }
            return results.compactMap { $0 }
        }
        for probe in probes { try await store?.saveProbe(probe, pool: pool.fingerprint) }
        let ledger = UsageLedger()
        let clients = zip(pool.candidates, zip(backends, probes)).compactMap { candidate, pair -> ModelClient? in
            let (backend, probe) = pair
            guard probe.reachable, probe.error == nil else { return nil }
            var client = ModelClient(candidate: candidate, probe: probe, backend: backend, store: store, ledger: ledger, run: run)
            client.policy = policy
            return client
        }
        return PoolSession(pool: pool, probes: probes, clients: clients, ledger: ledger, store: store)
    }

    /// A client for the pool's embeddings endpoint, if it names one.
    public func embeddingsClient() -> ModelClient? {
        guard let endpoint = pool.embeddings else { return nil }
        return Self.embeddingsClient(for: endpoint, store: store, ledger: ledger)
    }

    /// A client for an embeddings endpoint (calls recorded and cached like any other).
    public static func embeddingsClient(
        for endpoint: EmbeddingsEndpoint, store: Store?, ledger: UsageLedger, transport: any HTTPTransport = CurlTransport()
    ) -> ModelClient {
        let candidate = Candidate(
            id: "embeddings", kind: endpoint.kind, urls: [endpoint.url], model: endpoint.model,
            apiKeyVariable: endpoint.apiKeyVariable)
        let scheduler = SlotScheduler(defaultCapacity: 4)
        let backend = BackendFactory.backend(for: candidate, transport: transport, scheduler: scheduler)
        let probe = ProbeResult(
            candidateID: candidate.id, reachable: true, modelIdentity: "\(endpoint.kind.rawValue):\(endpoint.model)")
        return ModelClient(candidate: candidate, probe: probe, backend: backend, store: store, ledger: ledger)
    }

    /// The client of candidate `id`, if it is usable.
    public func client(_ id: String) -> ModelClient? { clients.first { $0.id == id } }

    /// Candidates that could not be used, with the reason.
    public var unusable: [(id: String, reason: String)] {
        probes.compactMap { probe in
            guard !probe.reachable || probe.error != nil else { return nil }
            return (probe.candidateID, probe.error ?? "unreachable")
        }
    }
}
