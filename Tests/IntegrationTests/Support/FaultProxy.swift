import Foundation
import PanelKit
import Testing

/// `fault_proxy.py` in front of one upstream server: forwards requests, and faults a share of the
/// generation requests as configured (see the script's docstring).
///
/// A class because it owns a process: `stop()` ends it, and `deinit` stops it too. The script also
/// exits by itself when its stdin pipe closes, so it cannot outlive a crashed test process.
final class FaultProxy: Sendable {
    /// The proxy's port on 127.0.0.1.
    let port: Int
    private let process: Process
    private let input: Pipe

    /// Starts a proxy in front of `upstream` (e.g. `http://127.0.0.1:8092`) and waits for its port.
    init(upstream: String) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("fault_proxy.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, upstream]
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
            throw IntegrationSetupError(message: "the fault proxy at \(script.path) did not print its port")
        }
        self.port = port
        self.process = process
        self.input = input
    }

    deinit { stop() }

    /// The proxy's base URL.
    var url: String { "http://127.0.0.1:\(port)" }

    /// Sets the fault rate, seed and kinds (and resets the counters).
    func configure(_ settings: JSONValue) async throws {
        _ = try await CurlTransport().sendJSON(.postJSON(url + "/_proxy/config", settings))
    }

    /// Counts of requests and faults, and the log of every matching request.
    func stats() async throws -> JSONValue {
        try await CurlTransport().sendJSON(HTTPRequest(url: url + "/_proxy/stats"))
    }

    /// Ends the proxy and waits for it: closing stdin ends it; SIGTERM, then SIGKILL, are fallbacks.
    func stop() {
        guard process.isRunning else { return }
        try? input.fileHandleForWriting.close()
        process.terminate()
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
