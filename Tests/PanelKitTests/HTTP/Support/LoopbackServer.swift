import Foundation
import Testing

/// The Python loopback server (`loopback_server.py`), run as a child process for HTTP tests.
///
/// A class because it owns a process: `stop()` ends it, and `deinit` stops it too in case a test
/// path forgets. The server also exits on its own when its stdin pipe closes, so it cannot outlive
/// a crashed test process.
final class LoopbackServer: Sendable {
    /// The server's port on 127.0.0.1.
    let port: Int
    private let process: Process
    private let input: Pipe

    /// The server of the enclosing `.loopbackServer` suite.
    @TaskLocal static var current: LoopbackServer?

    /// Starts the server and waits for it to report its port.
    init() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("loopback_server.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let more = output.fileHandleForReading.availableData
            if more.isEmpty { break }
            line.append(more)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw LoopbackServerError(message: "loopback server at \(script.path) did not print its port")
        }
        self.port = port
        self.process = process
        self.input = input
    }

    deinit { stop() }

    /// The URL of `path` (which starts with `/`) on this server.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Ends the server process and waits for it.
    ///
    /// Closing stdin makes the server exit by itself; SIGTERM and, after five seconds, SIGKILL are
    /// fallbacks (a child can inherit a mask that blocks SIGTERM from the spawning thread).
    func stop() {
        guard process.isRunning else { return }
        try? input.fileHandleForWriting.close()
        process.terminate()
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// The loopback server failed to start.
struct LoopbackServerError: Error, CustomStringConvertible {
    /// What went wrong.
    var message: String
    var description: String { message }
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
