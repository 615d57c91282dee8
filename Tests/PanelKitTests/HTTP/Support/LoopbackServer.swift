import Foundation
import TestSupport
import Testing

/// The Python loopback server (`loopback_server.py`), run as a child process for HTTP tests.
final class LoopbackServer: Sendable {
    private let server: ScriptServer

    /// The server of the enclosing `.loopbackServer` suite.
    @TaskLocal static var current: LoopbackServer?

    /// Starts the server and waits for it to report its port.
    init() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("loopback_server.py")
        server = try ScriptServer(script: script.path)
    }

    /// The server's port on 127.0.0.1.
    var port: Int { server.port }

    /// The URL of `path` (which starts with `/`) on this server.
    func url(_ path: String) -> String { server.url + path }

    /// Ends the server process and waits for it.
    func stop() { server.stop() }
}

/// Runs a suite with one loopback server shared by its tests (which may run in parallel: the server
/// is threaded and the tests share no server state), stopped when the suite ends.
struct LoopbackServerTrait: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        try await LoopbackServer.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == LoopbackServerTrait {
    /// Starts one loopback server for the suite and stops it afterwards.
    static var loopbackServer: Self { Self() }
}
