import Foundation
import PanelKit
import Testing

/// Two real llama-servers (SmolLM2-135M and Qwen2.5-Coder-0.5B) on free loopback ports, started with
/// `ServerLauncher` from a pool file in a temporary folder, plus a session probed once against them.
final class LlamaServers: Sendable {
    static let smolID = "smollm2-135m"
    static let qwenID = "qwen2.5-coder-0.5b"

    /// The temporary folder with the pool file, the run folder (pid and log files) and stores.
    let folder: String
    /// The pool file naming both servers.
    let poolPath: String
    /// The loaded pool.
    let pool: Pool
    /// A session over both, probed once, recording nowhere (so no call is served from a cache).
    let session: PoolSession
    private let launcher: ServerLauncher
    private let plans: [ServerLauncher.Plan]

    /// The servers of the enclosing `.llamaServers` suite.
    @TaskLocal static var current: LlamaServers?

    private init(
        folder: String, poolPath: String, pool: Pool, session: PoolSession, launcher: ServerLauncher,
        plans: [ServerLauncher.Plan]
    ) {
        self.folder = folder
        self.poolPath = poolPath
        self.pool = pool
        self.session = session
        self.launcher = launcher
        self.plans = plans
    }

    /// Starts both servers and waits until they are healthy and probed.
    static func start() async throws -> LlamaServers {
        try LocalModels.requireFiles()
        let folder = NSTemporaryDirectory() + "panel-integration-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let ports = try LocalModels.freePorts(2)
        let poolPath = "\(folder)/pool.json"
        try poolText(smolPort: ports[0], qwenPort: ports[1]).write(toFile: poolPath, atomically: true, encoding: .utf8)
        let pool = try PoolLoader.load(path: poolPath)
        let plans = try ServerLauncher.plans(for: pool)
        var launcher = ServerLauncher(runDirectory: "\(folder)/run", executable: LocalModels.server)
        launcher.startTimeout = .seconds(120)
        do {
            _ = try await launcher.start(plans, transport: CurlTransport())
            let session = try await PoolSession.open(pool, store: nil, transport: CurlTransport())
            return LlamaServers(
                folder: folder, poolPath: poolPath, pool: pool, session: session, launcher: launcher, plans: plans)
        } catch {
            // A server that did start must not outlive a failed start of the other.
            _ = await launcher.stop(plans)
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
    }

    /// A pool file for the two servers: 4 slots of 1024 tokens each, one thread each (two run at once on two cores).
    static func poolText(smolPort: Int, qwenPort: Int) -> String {
        func candidate(_ id: String, _ port: Int, _ file: String) -> String {
            """
                {
                  "id": "\(id)",
                  "kind": "llama-server",
                  "url": "http://127.0.0.1:\(port)",
                  "prompt": {"style": "chat"},
                  "launch": {"model_file": "\(LocalModels.model(file))", "context": 4096, "slots": 4, "threads": 1}
                }
            """
        }
        return """
            {
              "description": "integration tests: two real llama-servers on free ports",
              "candidates": [
            \(candidate(smolID, smolPort, LocalModels.smolFile)),
            \(candidate(qwenID, qwenPort, LocalModels.qwenFile))
              ]
            }
            """
    }

    /// Stops both servers and removes the temporary folder.
    func stop() async {
        let outcomes = await launcher.stop(plans)
        for (plan, outcome) in zip(plans, outcomes) where outcome == .notRunning {
            Issue.record("the llama-server for \(plan.name) had already exited: see \(launcher.logFile(plan))")
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// The base URL of a candidate's server.
    func url(_ id: String) -> String { pool.candidate(id)!.urls[0] }

    /// The client of a candidate in the shared session.
    func client(_ id: String) throws -> ModelClient {
        try #require(session.client(id), "\(id) is not usable: \(session.unusable)")
    }

    /// A new, empty store in the temporary folder.
    func newStorePath() -> String { "\(folder)/stores/\(UUID().uuidString).sqlite" }
}

/// Runs a suite with both servers started once before its first test and stopped after its last,
/// whether its tests pass or fail.
struct LlamaServersTrait: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let servers = try await LlamaServers.start()
        do {
            try await LlamaServers.$current.withValue(servers) { try await function() }
        } catch {
            await servers.stop()
            throw error
        }
        await servers.stop()
    }
}

extension Trait where Self == LlamaServersTrait {
    /// Starts the two real llama-servers for the suite and stops them afterwards.
    static var llamaServers: Self { Self() }
}
