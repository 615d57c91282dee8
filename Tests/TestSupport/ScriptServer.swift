import Foundation

/// A Python test server run as a child process: the script prints its loopback port as its first line
/// and exits by itself when its stdin closes, so it cannot outlive a test process that dies.
///
/// A class because it owns a process: `stop()` ends it, and `deinit` stops it too in case a test path
/// forgets.
public final class ScriptServer: Sendable {
    /// The server's port on 127.0.0.1.
    public let port: Int
    private let process: Process
    private let input: Pipe

    /// Runs `python3 script arguments…` and waits for it to print its port.
    public init(script: String, arguments: [String] = []) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
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
            throw TestSetupError(message: "\(script) did not print its port")
        }
        self.port = port
        self.process = process
        self.input = input
    }

    deinit { stop() }

    /// The server's base URL.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Ends the server process and waits for it.
    ///
    /// Closing stdin makes the server exit by itself; SIGTERM and, after five seconds, SIGKILL are
    /// fallbacks (a child can inherit a mask that blocks SIGTERM from the spawning thread).
    public func stop() {
        guard process.isRunning else { return }
        try? input.fileHandleForWriting.close()
        process.terminate()
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// A test could not set up what it needs (a server, a socket).
public struct TestSetupError: Error, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    public var description: String { message }

    /// Creates the error.
    public init(message: String) {
        self.message = message
    }
}
