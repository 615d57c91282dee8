import Foundation
import Testing

@testable import PanelKit

/// `ServerLauncher` without real models: plans, command lines, and the failures of a start.
///
/// The process tests use a shell script named `llama-server` (the launcher only signals processes
/// whose command line carries that name), so no model is loaded.
@Suite struct ServerLauncherTests {
    static func pool(_ text: String, at path: String = "/tmp/panel-pools/pool.json") throws -> Pool {
        try PoolLoader.parse(Data(text.utf8), path: path)
    }

    static let sharedBase = """
        {
          "candidates": [
            {"id": "base", "kind": "llama-server", "url": "http://127.0.0.1:9001",
             "launch": {"model_file": "/m/base.gguf", "lora_files": ["/m/a.gguf", "/m/b.gguf"], "slots": 4, "args": ["--no-webui"]}},
            {"id": "expert-a", "kind": "llama-server", "url": "http://127.0.0.1:9001", "adapter": {"name": "a"},
             "launch": {"model_file": "/m/base.gguf", "lora_files": ["/m/a.gguf", "/m/b.gguf"], "slots": 4, "args": ["--no-webui"]}},
            {"id": "other", "kind": "llama-server", "url": "http://127.0.0.1:9002", "launch": {"model_file": "/m/other.gguf"}},
            {"id": "remote", "kind": "llama-server", "url": "http://10.0.0.5:9003"}
          ]
        }
        """

    @Test func candidatesSharingAURLShareOneServer() throws {
        let plans = try ServerLauncher.plans(for: try Self.pool(Self.sharedBase))
        #expect(plans.map(\.url) == ["http://127.0.0.1:9001", "http://127.0.0.1:9002"])
        #expect(plans.map(\.port) == [9001, 9002])
        #expect(plans.map(\.candidates) == [["base", "expert-a"], ["other"]])
        #expect(plans.map(\.name) == ["base", "other"])
    }

    @Test func eachReplicaGetsAServerOfItsOwn() throws {
        let text = """
            {"candidates": [{"id": "q", "kind": "llama-server", "urls": ["http://127.0.0.1:9001", "http://127.0.0.1:9004"],
                             "launch": {"model_file": "/m/q.gguf", "threads": 1}}]}
            """
        let plans = try ServerLauncher.plans(for: try Self.pool(text))
        #expect(plans.map(\.port) == [9001, 9004])
        #expect(plans.map(\.name) == ["q", "q-2"])
        #expect(plans.allSatisfy { $0.candidates == ["q"] })
    }

    @Test func differentLaunchSettingsForOneURLAreRejected() throws {
        let text = """
            {
              "candidates": [
                {"id": "one", "kind": "llama-server", "url": "http://127.0.0.1:9001", "launch": {"model_file": "/m/x.gguf"}},
                {"id": "two", "kind": "llama-server", "url": "http://127.0.0.1:9001", "launch": {"model_file": "/m/x.gguf", "slots": 3}}
              ]
            }
            """
        #expect(throws: ServerLauncher.LaunchError.conflictingLaunch(url: "http://127.0.0.1:9001", first: "one", second: "two")) {
            _ = try ServerLauncher.plans(for: try Self.pool(text))
        }
    }

    @Test func theCommandLineCarriesEverySetting() throws {
        let plans = try ServerLauncher.plans(for: try Self.pool(Self.sharedBase))
        let launcher = ServerLauncher(runDirectory: "/tmp/run", executable: "/bin/llama-server")
        #expect(launcher.arguments(for: plans[0]) == [
            "-m", "/m/base.gguf", "--host", "127.0.0.1", "--port", "9001", "-c", "8192", "-np", "4", "-t", "1",
            "--lora", "/m/a.gguf", "--lora", "/m/b.gguf", "--lora-init-without-apply", "--no-webui",
        ])
        #expect(launcher.arguments(for: plans[1]) == [
            "-m", "/m/other.gguf", "--host", "127.0.0.1", "--port", "9002", "-c", "8192", "-np", "2", "-t", "1",
        ])
        #expect(launcher.logFile(plans[1]) == "/tmp/run/other.log")
    }

    @Test func missingFilesFailBeforeAnythingStarts() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let run = folder.file("run")
        let plans = try ServerLauncher.plans(for: try Self.pool(Self.sharedBase))
        await #expect(throws: ServerLauncher.LaunchError.missingExecutable(folder.file("no-such-server"))) {
            _ = try await ServerLauncher(runDirectory: run, executable: folder.file("no-such-server"))
                .start(plans, transport: ScriptedTransport(fixed: [:]))
        }
        await #expect(throws: ServerLauncher.LaunchError.missingFile(candidate: "base", path: "/m/base.gguf")) {
            _ = try await ServerLauncher(runDirectory: run, executable: "/bin/sh").start(plans, transport: ScriptedTransport(fixed: [:]))
        }
        #expect(!FileManager.default.fileExists(atPath: run))
    }

    /// A pool with one launched candidate whose model file exists, served by `script`.
    static func fakeServer(_ script: String, in folder: TemporaryFolder) throws -> (ServerLauncher, [ServerLauncher.Plan]) {
        let executable = folder.file("llama-server")
        try writeProgram("#!/bin/sh\n" + script + "\n", to: executable)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: executable)
        try Data("GGUF".utf8).write(to: URL(fileURLWithPath: folder.file("model.gguf")))
        let ports = 20000 + Int.random(in: 0..<20000)
        let pool = try Self.pool(
            #"{"candidates": [{"id": "fake", "kind": "llama-server", "url": "http://127.0.0.1:\#(ports)", "launch": {"model_file": "model.gguf"}}]}"#,
            at: folder.file("pool.json"))
        var launcher = ServerLauncher(runDirectory: folder.file("run"), executable: executable)
        launcher.startTimeout = .seconds(2)
        return (launcher, try ServerLauncher.plans(for: pool))
    }

    @Test func aServerThatExitsDuringStartUpIsReportedWithItsLog() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (launcher, plans) = try Self.fakeServer("echo \"error: failed to load model '$2'\" >&2; exit 1", in: folder)
        // Nothing answers: the health checks are refused.
        let transport = ScriptedTransport(fixed: ["GET /health": .failure(.connectionRefused(url: plans[0].url))])
        let error = await #expect(throws: ServerLauncher.LaunchError.self) { _ = try await launcher.start(plans, transport: transport) }
        guard case .exited(let name, let tail, let log) = error else {
            Issue.record("expected .exited, got \(String(describing: error))")
            return
        }
        #expect(name == "fake")
        #expect(tail.contains("failed to load model"))
        #expect(log == launcher.logFile(plans[0]))
        #expect(!FileManager.default.fileExists(atPath: folder.file("run/fake.pid")))
    }

    @Test func aServerThatNeverGetsHealthyIsStoppedAfterTheTimeout() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (launcher, plans) = try Self.fakeServer("while true; do sleep 0.1; done", in: folder)
        let transport = ScriptedTransport(fixed: ["GET /health": .failure(.connectionRefused(url: plans[0].url))])
        let error = await #expect(throws: ServerLauncher.LaunchError.self) { _ = try await launcher.start(plans, transport: transport) }
        guard case .timedOut(let name, let seconds, _) = error else {
            Issue.record("expected .timedOut, got \(String(describing: error))")
            return
        }
        #expect(name == "fake")
        #expect(seconds == 2)
        #expect(!FileManager.default.fileExists(atPath: folder.file("run/fake.pid")))
        // Nothing is left to stop.
        #expect(await launcher.stop(plans) == [.notRunning])
    }

    @Test func startedServersAreStoppedByTheirPidFiles() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (launcher, plans) = try Self.fakeServer("while true; do sleep 0.1; done", in: folder)
        // The fake server answers its health check as soon as it runs.
        let transport = ScriptedTransport(fixed: ["GET /health": .json(#"{"status":"ok"}"#)])
        // A healthy answer before the spawn means someone else's server holds the port.
        await #expect(throws: ServerLauncher.LaunchError.portInUse(url: plans[0].url, candidate: "fake")) {
            _ = try await launcher.start(plans, transport: transport)
        }

        let healthyAfterSpawn = HealthAfterSpawn(pidFile: folder.file("run/fake.pid"))
        let outcomes = try await launcher.start(plans, transport: ScriptedTransport(["GET /health": healthyAfterSpawn.reply]))
        guard case .started(let pid, _) = outcomes.first else {
            Issue.record("expected .started, got \(outcomes)")
            return
        }
        #expect(ChildProcess.isRunning(pid, named: "llama-server"))
        #expect(FileManager.default.fileExists(atPath: folder.file("run/fake.pid")))
        // A second start leaves the running server alone.
        #expect(try await launcher.start(plans, transport: ScriptedTransport(["GET /health": healthyAfterSpawn.reply])) == [.alreadyRunning(pid: pid)])

        #expect(await launcher.stop(plans) == [.stopped(pid: pid)])
        #expect(!ChildProcess.isRunning(pid, named: "llama-server"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("run/fake.pid")))
    }
}

/// Answers `/health` with "ok" once the launcher has written its pid file, refusing before.
struct HealthAfterSpawn: Sendable {
    let pidFile: String

    var reply: ScriptedTransport.Handler {
        let pidFile = self.pidFile
        return { request, _ in
            FileManager.default.fileExists(atPath: pidFile)
                ? .json(#"{"status":"ok"}"#) : .failure(.connectionRefused(url: request.url))
        }
    }
}
