import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Where the real llama-server and the small local models are, and whether integration tests run.
///
/// Both are found relative to the package root (`scripts/setup.sh` installs them there), or through
/// `PANEL_LLAMA_SERVER` and `PANEL_MODELS_DIR`. Missing files fail the tests with a message saying what
/// to do; `PANEL_SKIP_INTEGRATION=1` disables them instead.
enum LocalModels {
    static let environment = ProcessInfo.processInfo.environment

    /// The package root, three levels above this file.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Whether the integration tests are turned off.
    static var skipped: Bool { environment["PANEL_SKIP_INTEGRATION"] == "1" }

    /// The llama-server executable.
    static var server: String {
        environment["PANEL_LLAMA_SERVER"].flatMap { $0.isEmpty ? nil : $0 }
            ?? root.appendingPathComponent(".venv/bin/llama-server").path
    }

    /// The folder holding the GGUF models.
    static var modelsFolder: String {
        environment["PANEL_MODELS_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? root.appendingPathComponent("models").path
    }

    static let smolFile = LocalModel.smol.file
    static let qwenFile = LocalModel.qwen.file

    /// The path of a model file.
    static func model(_ file: String) -> String { "\(modelsFolder)/\(file)" }

    /// Throws a clear error when the server or one of `models` is missing.
    static func requireFiles(_ models: [LocalModel] = [.smol, .qwen]) throws {
        var missing: [String] = []
        if !FileManager.default.isExecutableFile(atPath: server) { missing.append("llama-server at \(server)") }
        for file in models.map(\.file) where !FileManager.default.fileExists(atPath: model(file)) {
            missing.append(model(file))
        }
        guard missing.isEmpty else {
            throw IntegrationSetupError(
                message: "integration tests need \(missing.joined(separator: " and ")): run scripts/setup.sh, "
                    + "or set PANEL_LLAMA_SERVER / PANEL_MODELS_DIR, or set PANEL_SKIP_INTEGRATION=1 to skip them")
        }
    }

    /// Ports nobody listens on right now, distinct from each other (chosen by the kernel, so never the
    /// fixed ports of servers someone else runs).
    static func freePorts(_ count: Int) throws -> [Int] {
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        var ports: [Int] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw IntegrationSetupError(message: "socket() failed") }
            sockets.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = 0
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { throw IntegrationSetupError(message: "bind() failed") }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }
}

/// One of the three small local models of `pools/local.json`, as the integration tests serve it.
enum LocalModel: String, CaseIterable, Sendable {
    case smol = "smollm2-135m"
    case qwen = "qwen2.5-coder-0.5b"
    case gemma = "gemma3-270m"

    /// The candidate id in the pools the tests write (the same as in `pools/local.json`).
    var id: String { rawValue }

    /// The GGUF file in the models folder.
    var file: String {
        switch self {
        case .smol: "SmolLM2-135M-Instruct.Q4_1.gguf"
        case .qwen: "Qwen2.5-Coder-0.5B-Instruct.Q4_K_M.gguf"
        case .gemma: "gemma-3-270m.Q4_K_M.gguf"
        }
    }

    /// The candidate's `prompt` object: the instruction-tuned models chat, the Gemma base model
    /// completes plain text after demonstrations.
    var promptJSON: String {
        switch self {
        case .smol, .qwen: #"{"style": "chat"}"#
        case .gemma: #"{"style": "completion", "shots": 3}"#
        }
    }
}

/// The machine lacks what the integration tests need.
struct IntegrationSetupError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension Trait where Self == ConditionTrait {
    /// Disables a suite when `PANEL_SKIP_INTEGRATION=1`.
    static var integration: Self {
        .disabled(if: LocalModels.skipped, "PANEL_SKIP_INTEGRATION=1: integration tests with real llama-servers are off")
    }
}
