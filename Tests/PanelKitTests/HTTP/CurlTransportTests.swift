import Foundation
import Glibc
import TestSupport
import Testing

@testable import PanelKit

/// End-to-end tests of `CurlTransport` against the Python loopback server on 127.0.0.1.
///
/// Tests run in parallel and each uses its own transport (and so its own connection pool).
/// No test asserts on timing; waits are bounded only so that a broken build fails instead of hanging.
@Suite(.loopbackServer) struct CurlTransportTests {
    private var server: LoopbackServer { LoopbackServer.current! }
    private let transport = CurlTransport()

    private func request(_ path: String, idleTimeout: Duration = .seconds(10)) -> HTTPRequest {
        HTTPRequest(url: server.url(path), idleTimeout: idleTimeout)
    }

    // MARK: Streaming

    @Test func bodyArrivesInSeveralChunksBeforeTheEnd() async throws {
        var chunks: [Data] = []
        for try await chunk in transport.stream(request("/sse?count=4")) { chunks.append(chunk) }
        #expect(chunks.count > 1)
        var parser = SSEParser()
        let events = chunks.flatMap { parser.feed($0) } + parser.finish()
        #expect(events.last == SSEEvent(data: "[DONE]"))
        #expect(events.count == 6)
    }

    @Test func eventsDecodesTheServersStream() async throws {
        var events: [SSEEvent] = []
        for try await event in transport.events(request("/sse?count=3")) { events.append(event) }
        let payloads = try events.prefix(3).map { try JSONParser.parse(Data($0.data.utf8)) }
        #expect(payloads == [["index": 0, "text": "café 0"], ["index": 1, "text": "café 1"], ["index": 2, "text": "café 2"]])
        #expect(events.dropFirst(3) == [SSEEvent(event: "usage", data: "{\"tokens\": 3}"), SSEEvent(data: "[DONE]")])
    }

    @Test func jsonLinesDecodesEachLineIncludingAnUnterminatedLast() async throws {
        var values: [JSONValue] = []
        for try await value in transport.jsonLines(request("/ndjson?count=4")) { values.append(value) }
        #expect(values.map { $0["index"]?.intValue } == [0, 1, 2, 3])
        #expect(values.last?["done"] == true)
    }

    @Test func jsonLinesReportsAMalformedLineWithTheURL() async throws {
        let request = request("/ndjson?count=3&malformed=2")
        var values: [JSONValue] = []
        do {
            for try await value in transport.jsonLines(request) { values.append(value) }
            Issue.record("expected a malformed-body error")
        } catch HTTPError.malformedBody(let url, let reason) {
            #expect(url == request.url)
            #expect(reason.hasPrefix("line 2 is not JSON"))
        }
        #expect(values.count == 1)
    }

    // MARK: Requests

    @Test func echoShowsMethodHeadersAndBody() async throws {
        var request = HTTPRequest.postJSON(server.url("/echo"), ["prompt": "héllo"], headers: [
            HTTPHeader(name: "Authorization", value: "Bearer token"),
            HTTPHeader(name: "X-Empty", value: ""),
        ])
        request.method = "PUT"
        let echo = try await transport.sendJSON(request)
        #expect(echo["method"] == "PUT")
        #expect(echo["headers"]?["authorization"] == "Bearer token")
        #expect(echo["headers"]?["content-type"] == "application/json")
        #expect(echo["headers"]?["x-empty"] == "")
        #expect(try JSONParser.parse(Data((echo["body"]?.stringValue ?? "").utf8)) == ["prompt": "héllo"])
    }

    @Test(arguments: ["GET", "DELETE", "POST"])
    func methodsWithoutBodyAreSentAsGiven(method: String) async throws {
        let echo = try await transport.sendJSON(HTTPRequest(method: method, url: server.url("/echo")))
        #expect(echo["method"]?.stringValue == method)
        #expect(echo["bodyLength"] == 0)
    }

    @Test func largePostSendsNoExpectHeader() async throws {
        let body = Data(repeating: UInt8(ascii: "a"), count: 3 << 20)
        let request = HTTPRequest(method: "POST", url: server.url("/echo"), headers: [
            HTTPHeader(name: "Content-Type", value: "application/octet-stream")
        ], body: body)
        let echo = try await transport.sendJSON(request)
        #expect(echo["headers"]?["expect"] == nil)
        #expect(echo["bodyLength"]?.intValue == body.count)
    }

    @Test func headerWithLineBreakIsRejected() async throws {
        let request = HTTPRequest(url: server.url("/echo"), headers: [HTTPHeader(name: "X-Bad", value: "a\r\nInjected: 1")])
        await #expect {
            _ = try await transport.send(request)
        } throws: { error in
            guard case .transport(_, _, let message) = error as? HTTPError else { return false }
            return message.contains("line break")
        }
    }

    // MARK: Connections

    @Test func sequentialRequestsReuseTheConnection() async throws {
        let first = try await transport.sendJSON(request("/peer"))
        let second = try await transport.sendJSON(request("/peer"))
        #expect(first["port"] != nil)
        #expect(first["port"] == second["port"])
    }

    @Test func separateTransportsDoNotShareConnections() async throws {
        // The control for the reuse test: distinct pools must show distinct client ports.
        let first = try await transport.sendJSON(request("/peer"))
        let second = try await CurlTransport().sendJSON(request("/peer"))
        #expect(first["port"] != second["port"])
    }

    @Test func eightConcurrentRequestsAllSucceed() async throws {
        let transport = self.transport
        let requests = (0..<8).map { index in request(index.isMultiple(of: 2) ? "/sse?count=3" : "/slow-start?seconds=0.2") }
        let bodies = try await withThrowingTaskGroup(of: Data.self) { group in
            for request in requests { group.addTask { try await transport.send(request) } }
            var bodies: [Data] = []
            for try await body in group { bodies.append(body) }
            return bodies
        }
        #expect(bodies.count == 8)
        #expect(bodies.allSatisfy { !$0.isEmpty })
    }

    @Test func closedPortIsConnectionRefused() async throws {
        let url = "http://127.0.0.1:\(try Self.closedPort())/echo"
        await #expect(throws: HTTPError.connectionRefused(url: url)) {
            _ = try await transport.send(HTTPRequest(url: url))
        }
    }

    // MARK: Timeouts

    @Test func connectionNeverAcceptedHitsTheConnectTimeout() async throws {
        let listener = try UnacceptingListener()
        defer { listener.close() }
        let url = "http://127.0.0.1:\(listener.port)/echo"
        let request = HTTPRequest(url: url, connectTimeout: .milliseconds(300))
        await #expect(throws: HTTPError.connectTimeout(url: url, seconds: 0.3)) {
            _ = try await transport.send(request)
        }
    }

    @Test func stalledBodyHitsTheIdleTimeout() async throws {
        let request = request("/stall", idleTimeout: .milliseconds(500))
        var received = Data()
        await #expect(throws: HTTPError.idleTimeout(url: request.url, seconds: 0.5)) {
            for try await chunk in transport.stream(request) { received.append(chunk) }
        }
        #expect(String(decoding: received, as: UTF8.self) == "partial")
    }

    @Test func silenceBeforeTheFirstByteCountsAsIdle() async throws {
        let request = request("/slow-start?seconds=5", idleTimeout: .milliseconds(500))
        await #expect(throws: HTTPError.idleTimeout(url: request.url, seconds: 0.5)) {
            _ = try await transport.send(request)
        }
    }

    @Test func slowStartWithinTheIdleTimeoutSucceeds() async throws {
        let answer = try await transport.sendJSON(request("/slow-start?seconds=0.3", idleTimeout: .seconds(10)))
        #expect(answer == ["ok": true])
    }

    // MARK: Cancellation

    @Test(arguments: [false, true])
    func cancellingTheConsumerEndsTheTransfer(throughEvents: Bool) async throws {
        let id = UUID().uuidString
        let request = request("/endless?id=\(id)")
        let transport = self.transport
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        let consumer = Task {
            if throughEvents {
                for try await _ in transport.events(request) { startedContinuation.yield() }
            } else {
                for try await _ in transport.stream(request) { startedContinuation.yield() }
            }
        }
        var iterator = started.makeAsyncIterator()
        await iterator.next()
        consumer.cancel()
        _ = await consumer.result
        #expect(try await server(saw: "disconnected", id: id))
    }

    @Test func sendInACancelledTaskThrowsCancellationError() async throws {
        let id = UUID().uuidString
        let request = request("/endless?id=\(id)")
        let transport = self.transport
        let consumer = Task { try await transport.send(request) }
        // Cancel only once the transfer is under way, so cancellation hits a live transfer.
        #expect(try await server(saw: "connected", id: id))
        consumer.cancel()
        await #expect(throws: CancellationError.self) { _ = try await consumer.value }
        #expect(try await server(saw: "disconnected", id: id))
    }

    // MARK: Errors

    @Test(arguments: ["llama", "ollama", "vllm"])
    func statusErrorCarriesTheServersMessage(shape: String) async throws {
        let request = request("/status/503?shape=\(shape)&message=model%20is%20loading")
        await #expect(
            throws: HTTPError.status(code: 503, message: "model is loading", url: request.url, retryAfter: 7)
        ) {
            _ = try await transport.send(request)
        }
    }

    @Test func statusErrorParsesFractionalRetryAfter() async throws {
        let request = request("/status/429?shape=ollama&message=slow%20down&retry_after=2.5")
        await #expect(throws: HTTPError.status(code: 429, message: "slow down", url: request.url, retryAfter: 2.5)) {
            _ = try await transport.send(request)
        }
    }

    @Test func statusErrorWithoutRetryAfterAndPlainTextBody() async throws {
        let request = request("/status/400?shape=text&message=bad%20prompt")
        await #expect(throws: HTTPError.status(code: 400, message: "bad prompt", url: request.url, retryAfter: nil)) {
            _ = try await transport.send(request)
        }
    }

    @Test(arguments: [false, true])
    func bodyOverTheLimitIsResponseTooLarge(chunked: Bool) async throws {
        var request = request("/big?bytes=300000&chunked=\(chunked ? 1 : 0)")
        request.maxResponseBytes = 100_000
        await #expect(throws: HTTPError.responseTooLarge(url: request.url, limit: 100_000)) {
            _ = try await transport.send(request)
        }
    }

    @Test func bodyExactlyAtTheLimitIsAccepted() async throws {
        var request = request("/big?bytes=100000")
        request.maxResponseBytes = 100_000
        #expect(try await transport.send(request).count == 100_000)
    }

    // MARK: Helpers

    /// Whether the server's `/endless?id=…` handler reached `state` ("connected" or "disconnected"),
    /// polling for up to ten seconds: it notices a departed client only when its next write fails.
    private func server(saw state: String, id: String) async throws -> Bool {
        for _ in 0..<100 {
            let answer = try await transport.sendJSON(request("/seen?id=\(id)"))
            if answer[state] == true { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// A port on 127.0.0.1 that nothing listens on: bound, never listened on, then released.
    private static func closedPort() throws -> Int {
        let socketDescriptor = try LoopbackSocket.bound()
        defer { Glibc.close(socketDescriptor.descriptor) }
        return socketDescriptor.port
    }
}

/// A TCP socket bound to 127.0.0.1 on a free port.
private struct LoopbackSocket {
    let descriptor: Int32
    let port: Int

    /// Creates a socket bound to a free port on 127.0.0.1.
    static func bound() throws -> LoopbackSocket {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestSetupError(message: "cannot create a socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(descriptor)
            throw TestSetupError(message: "cannot bind a socket on 127.0.0.1")
        }
        return LoopbackSocket(descriptor: descriptor, port: Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Starts a connection to `port` on 127.0.0.1 without waiting for it (or, if `blocking`, waiting).
    static func connect(to port: Int, blocking: Bool) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestSetupError(message: "cannot create a socket") }
        if !blocking { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 || errno == EINPROGRESS else {
            Glibc.close(descriptor)
            throw TestSetupError(message: "cannot connect to 127.0.0.1:\(port)")
        }
        return descriptor
    }
}

/// A listener on 127.0.0.1 that never accepts and whose accept queue is already full, so Linux drops
/// further connection attempts and they hang until the client's connect timeout: the one way to
/// provoke a connect timeout without leaving the machine.
private struct UnacceptingListener {
    private let listener: LoopbackSocket
    private let fillers: [Int32]

    /// The listener's port.
    var port: Int { listener.port }

    init() throws {
        listener = try LoopbackSocket.bound()
        guard listen(listener.descriptor, 0) == 0 else {
            Glibc.close(listener.descriptor)
            throw TestSetupError(message: "cannot listen on 127.0.0.1:\(listener.port)")
        }
        // With a backlog of 0 one established connection fills the queue; the second is a margin.
        fillers = [
            try LoopbackSocket.connect(to: listener.port, blocking: true),
            try LoopbackSocket.connect(to: listener.port, blocking: false),
        ]
    }

    /// Closes the listener and the connections that filled its queue.
    func close() {
        for descriptor in fillers + [listener.descriptor] { Glibc.close(descriptor) }
    }
}
