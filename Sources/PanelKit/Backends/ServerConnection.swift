import Foundation

/// What every backend needs to reach its server: the candidate, the transport, the shared slots.
struct ServerConnection: Sendable {
    let candidate: Candidate
    let transport: any HTTPTransport
    let scheduler: SlotScheduler
    /// The idle timeout of generations (long enough for a slow first token on a loaded CPU) and the
    /// largest response accepted.
    var policy = CallPolicy()

    var id: String { candidate.id }

    /// Authorization headers from the environment variable the pool names, if any.
    func authorization() throws -> [HTTPHeader] {
        guard let variable = candidate.apiKeyVariable else { return [] }
        guard let key = ProcessInfo.processInfo.environment[variable], !key.isEmpty else {
            throw BackendError.missingAPIKey(candidate: id, variable: variable)
        }
        return [HTTPHeader(name: "Authorization", value: "Bearer \(key)")]
    }

    func request(_ method: String, _ url: String, _ path: String, body: JSONValue? = nil, quick: Bool = false)
        throws -> HTTPRequest
    {
        var headers = try authorization()
        if body != nil { headers.append(HTTPHeader(name: "Content-Type", value: "application/json")) }
        return HTTPRequest(
            method: method, url: url + path, headers: headers, body: body?.data(),
            connectTimeout: .seconds(quick ? 3 : 10), idleTimeout: quick ? .seconds(30) : policy.idleTimeout,
            maxResponseBytes: policy.maxResponseBytes)
    }

    /// Sends a short JSON request (metadata, tokenizer) without taking a generation slot.
    func json(_ method: String, _ path: String, body: JSONValue? = nil, url: String? = nil) async throws -> JSONValue {
        do {
            return try await transport.sendJSON(
                try request(method, url ?? candidate.urls[0], path, body: body, quick: true))
        } catch {
            throw BackendError.classify(error, candidate: id)
        }
    }

    /// Runs a generation with a slot, timing it from the moment the slot is held (queueing for a
    /// slot is not the model's latency).
    func generateWithSlot(_ body: @Sendable (String) async throws -> Generation) async throws -> Generation {
        try await withSlot { url in
            let start = ContinuousClock.now
            var generation = try await body(url)
            // A cancelled stream ends quietly, so what arrived looks like a whole answer: it is not.
            try Task.checkCancellation()
            generation.latencyMs = milliseconds(since: start)
            return generation
        }
    }

    /// Runs `body` with a slot of one of the candidate's replicas, classifying any failure; failures
    /// that retrying may cure count against the replica's circuit.
    func withSlot<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let id = id
        do {
            return try await scheduler.withSlot(
                among: candidate.urls, isEndpointFailure: { BackendError.classify($0, candidate: id).isTransient }, body)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw BackendError.classify(error, candidate: id)
        }
    }

    /// Streams server-sent events of a POST, surfacing `data: {"error":…}` frames as errors.
    func events(_ url: String, _ path: String, body: JSONValue) throws -> AsyncThrowingStream<SSEEvent, any Error> {
        transport.events(try request("POST", url, path, body: body))
    }

    /// Runs one capability check of a probe, trying again (at most twice, with the calls' backoff)
    /// after a transient failure: a momentary fault must not leave a candidate marked as lacking chat
    /// or scoring for good.
    func probing<T: Sendable>(_ check: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await check()
            } catch {
                guard attempt < min(policy.attempts, 3), BackendError.classify(error, candidate: id).isTransient,
                    !Task.isCancelled
                else { throw error }
                try await Task.sleep(for: policy.delay(afterAttempt: attempt, retryAfter: nil, jitter: .random(in: 0...1)))
            }
        }
    }

    /// Measures the round trip of a cheap GET, in milliseconds.
    func timedGet(_ path: String) async -> (Result<JSONValue, BackendError>, Double) {
        let start = ContinuousClock.now
        let result: Result<JSONValue, BackendError>
        do {
            let data = try await transport.send(try request("GET", candidate.urls[0], path, quick: true))
            result = .success((try? JSONParser.parse(data)) ?? .string(String(decoding: data, as: UTF8.self)))
        } catch {
            result = .failure(BackendError.classify(error, candidate: id))
        }
        return (result, milliseconds(since: start))
    }
}

extension JSONValue {
    /// Throws the server's error when a streamed frame carries one (`{"error": …}`).
    func throwIfError(candidate: String) throws {
        guard let error = self["error"], !error.isNull else { return }
        let message = error["message"]?.stringValue ?? error.stringValue ?? error.serialized()
        let code = error["code"]?.intValue ?? 500
        throw BackendError.classify(
            HTTPError.status(code: code, message: message, url: "stream", retryAfter: nil), candidate: candidate)
    }
}
