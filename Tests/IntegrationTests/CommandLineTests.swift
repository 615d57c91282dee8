import Foundation
import PanelCLI
import PanelKit
import Testing

/// What one `panel` invocation printed and returned.
struct CommandRun {
    var status: Int32
    var standardOutput: String
    var standardError: [String]
}

/// Runs `panel` in-process with the real command table, capturing both streams.
func runPanel(_ arguments: [String]) async -> CommandRun {
    let output = OutputBuffer()
    let errors = OutputBuffer()
    let dispatcher = Dispatcher(root: PanelCommand.dispatcher.root, version: PanelCommand.version, handlesSignals: false)
    let status = await dispatcher.run(
        arguments, console: Console(standardOutput: output, standardError: errors), environment: [:])
    return CommandRun(status: status.rawValue, standardOutput: output.text, standardError: errors.lines)
}

/// Malformed input files: the command stops before touching a server or the store.
@Suite struct MalformedInputTests {
    static let validPool = """
        {
          "candidates": [
            {"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9"}
          ]
        }
        """

    @Test func poolCheckRejectsAMalformedPoolWithoutCreatingTheStore() async throws {
        let folder = try Folder()
        defer { folder.remove() }
        let pool = try folder.write(
            "pool.json",
            """
            {
              "candidates": [
                {"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9"},
                {"id": "b", "kind": "lama-server", "url": "http://127.0.0.1:10"}
              ]
            }
            """)
        let database = folder.path + "/db/panel.sqlite"
        let run = await runPanel(["pool", "check", pool, "--json", "--db", database])
        #expect(run.status == 65)
        #expect(run.standardError.count == 1, "\(run.standardError)")
        #expect(run.standardError.first?.hasPrefix("error: \(pool):4: candidates[1].kind: unknown kind 'lama-server'") == true)
        #expect(run.standardOutput.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: database))
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/db"))
    }

    @Test func poolCheckRejectsInvalidJSONWithTheLine() async throws {
        let folder = try Folder()
        defer { folder.remove() }
        let pool = try folder.write("pool.json", "{\n  \"candidates\": [\n    {\"id\": \"a\",}\n  ]\n}\n")
        let database = folder.path + "/panel.sqlite"
        let run = await runPanel(["pool", "check", "--pool", pool, "--db", database])
        #expect(run.status == 65)
        #expect(run.standardError == ["error: \(pool):3: invalid JSON: expected a quoted member name (column 16)"])
        #expect(!FileManager.default.fileExists(atPath: database))
    }

    @Test func poolCheckOfAMissingPoolFileIsNoInput() async throws {
        let folder = try Folder()
        defer { folder.remove() }
        let database = folder.path + "/panel.sqlite"
        let run = await runPanel(["pool", "check", folder.path + "/nope.json", "--db", database])
        #expect(run.status == 66)
        #expect(run.standardError.count == 1)
        #expect(run.standardError.first?.hasPrefix("error: \(folder.path)/nope.json: no such file") == true)
        #expect(!FileManager.default.fileExists(atPath: database))
    }

    @Test func selectExpertsRejectsAMalformedKShotFileWithoutCreatingTheStore() async throws {
        let folder = try Folder()
        defer { folder.remove() }
        let pool = try folder.write("pool.json", Self.validPool)
        let kshot = try folder.write(
            "kshot.jsonl",
            """
            {"id": "q1", "question": "2+2?", "answer": "4"}
            {"id": "q2", "question": "3+3?"}

            """)
        let database = folder.path + "/panel.sqlite"
        let run = await runPanel([
            "select-experts", "--pool", pool, "--kshot", kshot, "--db", database, "--out", folder.path + "/e.json",
        ])
        #expect(run.status == 65)
        #expect(run.standardError.count == 1, "\(run.standardError)")
        #expect(run.standardError.first?.hasPrefix("error: \(kshot):2: answer: ") == true)
        #expect(!FileManager.default.fileExists(atPath: database))
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/e.json"))
    }

    @Test func selectExpertsRejectsAMalformedPoolBeforeTheKShotFile() async throws {
        let folder = try Folder()
        defer { folder.remove() }
        let pool = try folder.write("pool.json", #"{"candidates": [{"id": "a", "kind": "llama-server"}]}"#)
        let kshot = try folder.write("kshot.jsonl", #"{"id": "q1", "question": "2+2?", "answer": "4"}"#)
        let database = folder.path + "/panel.sqlite"
        let run = await runPanel(["select-experts", "--pool", pool, "--kshot", kshot, "--db", database])
        #expect(run.status == 65)
        #expect(run.standardError == ["error: \(pool):1: candidates[0].url: missing required field (or give 'urls' for replicas)"])
        #expect(!FileManager.default.fileExists(atPath: database))
    }
}

/// `pool check` against a port nobody listens on: no servers needed.
@Suite struct StoppedServerTests {
    @Test func poolCheckOfAStoppedServerFailsWithTheReason() async throws {
        let folder = try Folder()
        defer { folder.remove() }
        let port = try LocalModels.freePorts(1)[0]
        let pool = try folder.write(
            "pool.json", #"{"candidates": [{"id": "gone", "kind": "llama-server", "url": "http://127.0.0.1:\#(port)"}]}"#)
        let database = folder.path + "/panel.sqlite"
        let run = await runPanel(["pool", "check", pool, "--json", "--db", database])
        #expect(run.status == 1)
        let json = try JSONParser.parse(run.standardOutput)
        #expect(json["candidates"]?[0]?["reachable"] == false)
        #expect(run.standardError.count == 1)
        #expect(run.standardError.first?.hasPrefix("error: gone: connection refused by http://127.0.0.1:\(port)") == true)
        // The probe is stored even when it failed.
        #expect(FileManager.default.fileExists(atPath: database))
    }
}

/// The built `panel` executable, run as a process: exit statuses and streams as a shell sees them.
@Suite struct PanelProcessTests {
    /// `panel` next to the test bundle, where `swift build` and `swift test` put it.
    static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("panel").path
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    @Test func aMalformedPoolExits65WithOneLineOnStandardError() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.executable), "no panel executable at \(Self.executable)")
        let folder = try Folder()
        defer { folder.remove() }
        let pool = try folder.write("pool.json", "{\n  \"candidates\": [\n    {\"id\": \"a\", \"kind\": \"llama-server\", \"url\": \"ftp://x\"}\n  ]\n}\n")
        let database = folder.path + "/panel.sqlite"
        let result = try Self.run(["pool", "check", pool, "--db", database])
        #expect(result.status == 65)
        #expect(result.output.isEmpty)
        #expect(result.errors == "error: \(pool):3: candidates[0].url: 'ftp://x' is not an http(s) URL such as http://127.0.0.1:8080\n")
        #expect(!FileManager.default.fileExists(atPath: database))
    }
}

extension RealServerTests {
    @Test func poolCheckPrintsJSONWithExactScoringForBothServers() async throws {
        let database = servers.newStorePath()
        let run = await runPanel(["pool", "check", servers.poolPath, "--json", "--db", database])
        #expect(run.status == 0, "\(run.standardError)")
        let json = try JSONParser.parse(run.standardOutput)
        #expect(json["pool"]?.stringValue == servers.poolPath)
        let candidates = try #require(json["candidates"]?.arrayValue)
        #expect(candidates.compactMap { $0["id"]?.stringValue } == Self.models)
        for candidate in candidates {
            #expect(candidate["reachable"] == true)
            #expect(candidate["error"] == .null)
            #expect(candidate["slots"] == 4)
            #expect(candidate["capabilities"]?["scoring"] == "exact")
            #expect(candidate["capabilities"]?["chat"] == true)
        }
        // The probes were stored.
        let store = try Store(path: database)
        #expect(try await store.probes(pool: servers.pool.fingerprint).count == 2)
    }

    @Test func poolCheckPrintsATable() async throws {
        let run = await runPanel(["pool", "check", servers.poolPath, "--db", servers.newStorePath()])
        #expect(run.status == 0, "\(run.standardError)")
        let lines = run.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(lines)")  // the header and two candidates
        #expect(lines.contains { $0.hasPrefix(LlamaServers.smolID) && $0.contains("exact") })
        #expect(lines.contains { $0.hasPrefix(LlamaServers.qwenID) && $0.contains("exact") })
    }
}

/// A temporary folder for one test.
struct Folder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "panel-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let file = "\(path)/\(name)"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
