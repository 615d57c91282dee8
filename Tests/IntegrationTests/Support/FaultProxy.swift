import Foundation
import PanelKit
import TestSupport
import Testing

/// `fault_proxy.py` in front of one upstream server: forwards requests, and faults a share of the
/// generation requests as configured (see the script's docstring).
final class FaultProxy: Sendable {
    private let server: ScriptServer

    /// Starts a proxy in front of `upstream` (e.g. `http://127.0.0.1:8092`) and waits for its port.
    init(upstream: String) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("fault_proxy.py")
        server = try ScriptServer(script: script.path, arguments: [upstream])
    }

    /// The proxy's port on 127.0.0.1.
    var port: Int { server.port }

    /// The proxy's base URL.
    var url: String { server.url }

    /// Sets the fault rate, seed and kinds (and resets the counters).
    func configure(_ settings: JSONValue) async throws {
        _ = try await CurlTransport().sendJSON(.postJSON(url + "/_proxy/config", settings))
    }

    /// Counts of requests and faults, and the log of every matching request.
    func stats() async throws -> JSONValue {
        try await CurlTransport().sendJSON(HTTPRequest(url: url + "/_proxy/stats"))
    }

    /// Ends the proxy and waits for it.
    func stop() { server.stop() }
}
