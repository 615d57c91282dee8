import Foundation
import PanelKit
import Testing

/// Which local models a suite serves, and how each llama-server is started.
struct ServerSetup: Sendable, Hashable {
    /// The models, one server each, in pool order.
    var models: [LocalModel]
    /// Threads per server (`-t`).
    var threads: Int
    /// Parallel slots per server (`-np`).
    var slots: Int
    /// Context per server (`-c`), shared by its slots.
    var context: Int
    /// The pool's `cores`: the slot scheduler lets servers compute at once only while their threads fit.
    var cores: Int?

    /// SmolLM2 and Qwen, one thread each, 4 slots of 1024 tokens: what `RealServerTests` asserts on.
    static let pair = ServerSetup(models: [.smol, .qwen], threads: 1, slots: 4, context: 4096, cores: nil)

    /// The three models served as `pools/local.json` serves them: 4 slots of 4096 tokens, one thread each,
    /// a core budget of 2. On a 2-core machine that other work shares, `-t 2` servers spin at their
    /// thread barriers and fall to ~1 token/s (measured: Qwen 4 parallel requests 19.6 tok/s with `-t 1`
    /// against 6.4 tok/s with `-t 2` while another pool was busy); `PANEL_TEST_THREADS` overrides it.
    static var localPool: ServerSetup {
        let threads = LocalModels.environment["PANEL_TEST_THREADS"].flatMap(Int.init) ?? 1
        return ServerSetup(models: [.smol, .qwen, .gemma], threads: max(1, threads), slots: 4, context: 16384, cores: 2)
    }
}

/// Writes pool files for locally launched test servers.
enum PoolWriter {
    /// A pool naming `models` on their `ports`, each with a `launch` block (so the slot scheduler
    /// knows its threads and `ServerLauncher` can start it) and the setup's `cores`.
    static func text(_ models: [LocalModel], ports: [LocalModel: Int], setup: ServerSetup, description: String) -> String {
        let candidates = models.map { model in
            """
                {
                  "id": "\(model.id)",
                  "kind": "llama-server",
                  "url": "http://127.0.0.1:\(ports[model]!)",
                  "prompt": \(model.promptJSON),
                  "launch": {"model_file": "\(LocalModels.model(model.file))", "context": \(setup.context), "slots": \(setup.slots), "threads": \(setup.threads)}
                }
            """
        }
        let cores = setup.cores.map { "\n  \"cores\": \($0)," } ?? ""
        return """
            {
              "description": "\(description)",\(cores)
              "candidates": [
            \(candidates.joined(separator: ",\n"))
              ]
            }

            """
    }
}

/// Real llama-servers for local models on free loopback ports, started with `ServerLauncher` from a
/// pool file in a temporary folder, plus a session probed once against them.
final class LlamaServers: Sendable {
    static let smolID = LocalModel.smol.id
    static let qwenID = LocalModel.qwen.id

    /// How the servers were started.
    let setup: ServerSetup
    /// The temporary folder with the pool file, the run folder (pid and log files) and stores.
    let folder: String
    /// The pool file naming every server.
    let poolPath: String
    /// The loaded pool.
    let pool: Pool
    /// A session over all servers, probed once, recording nowhere (so no call is served from a cache).
    let session: PoolSession
    /// Each model's port.
    let ports: [LocalModel: Int]
    /// Results that several tests of the suite share (each computed once, on first use).
    let shared = SharedResults()
    private let launcher: ServerLauncher
    private let plans: [ServerLauncher.Plan]

    /// The servers of the enclosing `.llamaServers` suite.
    @TaskLocal static var current: LlamaServers?

    private init(
        setup: ServerSetup, folder: String, poolPath: String, pool: Pool, session: PoolSession, ports: [LocalModel: Int],
        launcher: ServerLauncher, plans: [ServerLauncher.Plan]
    ) {
        self.setup = setup
        self.folder = folder
        self.poolPath = poolPath
        self.pool = pool
        self.session = session
        self.ports = ports
        self.launcher = launcher
        self.plans = plans
    }

    /// Starts the servers of `setup` and waits until they are healthy and probed.
    static func start(_ setup: ServerSetup = .pair) async throws -> LlamaServers {
        try LocalModels.requireFiles(setup.models)
        let folder = NSTemporaryDirectory() + "panel-integration-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let ports = Dictionary(uniqueKeysWithValues: zip(setup.models, try LocalModels.freePorts(setup.models.count)))
        let poolPath = "\(folder)/pool.json"
        try PoolWriter.text(
            setup.models, ports: ports, setup: setup,
            description: "integration tests: real llama-servers on free ports"
        ).write(toFile: poolPath, atomically: true, encoding: .utf8)
        let pool = try PoolLoader.load(path: poolPath)
        let plans = try ServerLauncher.plans(for: pool)
        var launcher = ServerLauncher(runDirectory: "\(folder)/run", executable: LocalModels.server)
        launcher.startTimeout = .seconds(120)
        do {
            _ = try await launcher.start(plans, transport: CurlTransport())
            let session = try await PoolSession.open(pool, store: nil, transport: CurlTransport())
            return LlamaServers(
                setup: setup, folder: folder, poolPath: poolPath, pool: pool, session: session, ports: ports,
                launcher: launcher, plans: plans)
        } catch {
            // A server that did start must not outlive a failed start of another.
            _ = await launcher.stop(plans)
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
    }

    /// Stops the servers and removes the temporary folder.
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

    /// Writes (or rewrites, identically) a pool file over some of the running servers and returns its path.
    func poolFile(_ models: [LocalModel]) throws -> String {
        let path = "\(folder)/pool-\(models.map(\.id).joined(separator: "+")).json"
        try PoolWriter.text(models, ports: ports, setup: setup, description: "integration tests: \(models.count) of the test servers")
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Writes a file into the temporary folder and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let path = "\(folder)/\(name)"
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// Values a suite computes once and several tests use (an ensemble selected once, say), so the
/// expensive model work is not repeated per test. A failure is remembered too: the tests that need
/// the value fail with its cause instead of each redoing the work.
actor SharedResults {
    private var values: [String: Result<any Sendable, any Error>] = [:]

    /// The value under `key`, made by `make` the first time.
    func value<T: Sendable>(_ key: String, make: @Sendable () async throws -> T) async throws -> T {
        if let known = values[key] { return try Self.cast(known.get(), key) }
        do {
            let value = try await make()
            values[key] = .success(value)
            return value
        } catch {
            values[key] = .failure(SharedResultError(key: key, cause: error))
            throw error
        }
    }

    /// Stores a value another test may pick up.
    func set<T: Sendable>(_ key: String, _ value: T) { values[key] = .success(value) }

    /// The value under `key`, if it was made successfully.
    func existing<T: Sendable>(_ key: String, as: T.Type = T.self) -> T? {
        guard case .success(let value)? = values[key] else { return nil }
        return value as? T
    }

    private static func cast<T>(_ value: any Sendable, _ key: String) throws -> T {
        guard let typed = value as? T else { throw SharedResultError(key: key, cause: IntegrationSetupError(message: "wrong type")) }
        return typed
    }
}

/// A shared value that could not be made.
struct SharedResultError: Error, CustomStringConvertible {
    var key: String
    var cause: any Error
    var description: String { "\(key) failed earlier in this suite: \(cause)" }
}

/// Lets only one suite's servers exist at a time: suites run in parallel, and two sets of servers
/// computing at once on a 2-core machine slow each other to a crawl.
actor ServerSuiteLock {
    static let shared = ServerSuiteLock()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}

/// Runs a suite with its servers started once before its first test and stopped after its last,
/// whether its tests pass or fail.
struct LlamaServersTrait: SuiteTrait, TestScoping {
    var setup: ServerSetup

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        await ServerSuiteLock.shared.acquire()
        let servers: LlamaServers
        do {
            servers = try await LlamaServers.start(setup)
        } catch {
            await ServerSuiteLock.shared.release()
            throw error
        }
        do {
            try await LlamaServers.$current.withValue(servers) { try await function() }
        } catch {
            await servers.stop()
            await ServerSuiteLock.shared.release()
            throw error
        }
        await servers.stop()
        await ServerSuiteLock.shared.release()
    }
}

extension Trait where Self == LlamaServersTrait {
    /// Starts SmolLM2 and Qwen for the suite and stops them afterwards.
    static var llamaServers: Self { Self(setup: .pair) }

    /// Starts the servers of `setup` for the suite and stops them afterwards.
    static func llamaServers(_ setup: ServerSetup) -> Self { Self(setup: setup) }
}
