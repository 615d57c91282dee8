import Foundation
import Testing

@testable import PanelKit

/// A fresh folder under the system's temporary directory, removed by `remove()`.
struct TemporaryFolder {
    let path: String

    init(_ label: String = "panel") throws {
        path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct StoreTests {
    private static func call(
        _ fingerprint: String, response: JSONValue? = ["text": "42"], cacheable: Bool = true, error: String? = nil,
        run: String? = nil
    ) -> CallRecord {
        CallRecord(
            fingerprint: fingerprint, candidate: "qwen", operation: .generate, cacheable: cacheable,
            request: ["prompt": "2*21?"], response: error == nil ? response : nil, tokensIn: 5, tokensOut: 1,
            latencyMs: 12.5, error: error, run: run)
    }

    // MARK: Schema

    @Test func migratesAnEmptyDatabaseToTheCurrentSchema() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // The store creates missing folders on the way to its file.
        let store = try Store(path: folder.file("nested/deeper/panel.sqlite"))
        #expect(Store.schemaVersion == Store.migrations.count)
        #expect(Store.schemaVersion >= 3)
        #expect(try await store.version() == Store.schemaVersion)
        let tables = try SQLiteConnection(path: store.path)
            .query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap { $0.first?.string }
        #expect(tables == ["calls", "probes", "run_items", "runs"])
    }

    @Test func reopeningIsIdempotentAndKeepsTheData() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("panel.sqlite")
        do {
            let store = try Store(path: path)
            try await store.record(Self.call("f1"))
        }
        for _ in 0..<2 {
            let store = try Store(path: path)
            #expect(try await store.version() == Store.schemaVersion)
            #expect(try await store.callCount() == 1)
            #expect(try await store.cachedResponse(for: "f1") == ["text": "42"])
        }
    }

    @Test func migratesAnOlderDatabaseStepByStep() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("v1.sqlite")
        do {
            let db = try SQLiteConnection(path: path)
            try db.execute(Store.migrations[0])
            try db.execute("PRAGMA user_version = 1")
        }
        let store = try Store(path: path)
        #expect(try await store.version() == Store.schemaVersion)
        // Tables of the later migrations exist and work.
        try await store.saveProbe(ProbeResult(candidateID: "a", reachable: true), pool: "p")
        #expect(try await store.probes(pool: "p").count == 1)
    }

    @Test func aDatabaseFromANewerPanelIsRefused() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("future.sqlite")
        do {
            let db = try SQLiteConnection(path: path)
            try db.execute("PRAGMA user_version = 99")
        }
        do {
            _ = try Store(path: path)
            Issue.record("a newer schema was accepted")
        } catch {
            #expect(error == .newerSchema(path: path, found: 99, supported: Store.schemaVersion))
            #expect(error.description.contains("upgrade panel"))
        }
        // Nothing was migrated: the version is still the newer one.
        let version = try SQLiteConnection(path: path).query("PRAGMA user_version").first?.first?.int
        #expect(version == 99)
    }

    @Test func anUnwritableLocationIsAnOpenError() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // A regular file where the store's folder should be.
        let blocker = folder.file("blocker")
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let error = #expect(throws: StoreError.self) { _ = try Store(path: blocker + "/panel.sqlite") }
        guard case .open(let path, _) = error else {
            Issue.record("expected an open error, got \(String(describing: error))")
            return
        }
        #expect(path == blocker + "/panel.sqlite")
    }

    @Test func aFileThatIsNotADatabaseIsRefused() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("notes.sqlite")
        try Data(String(repeating: "not a database\n", count: 100).utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) { _ = try Store(path: path) }
        #expect(error?.description.contains("not a database") == true)
        // The file is left as it was.
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("not a database"))
    }

    @Test func writeAheadLoggingIsOn() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("panel.sqlite")
        let store = try Store(path: path)
        try await store.record(Self.call("f1"))
        // The mode is persistent in the file, so a second connection sees it.
        let mode = try SQLiteConnection(path: path).query("PRAGMA journal_mode").first?.first?.string
        #expect(mode == "wal")
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        // And a second connection can read while the store is open.
        let rows = try SQLiteConnection(path: path).query("SELECT COUNT(*) FROM calls").first?.first?.int
        #expect(rows == 1)
    }

    // MARK: Calls and the cache

    @Test func theCacheServesOnlySuccessfulCacheableCallsAndTheLatest() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try Store(path: folder.file("panel.sqlite"))

        #expect(try await store.cachedResponse(for: "f") == nil)
        try await store.record(Self.call("f", response: ["text": "first"]))
        try await store.record(Self.call("f", response: ["text": "second"]))
        #expect(try await store.cachedResponse(for: "f") == ["text": "second"])

        // A later failure or non-cacheable call with the same fingerprint does not shadow it.
        try await store.record(Self.call("f", error: "server overloaded"))
        try await store.record(Self.call("f", response: ["text": "sampled"], cacheable: false))
        #expect(try await store.cachedResponse(for: "f") == ["text": "second"])

        // Fingerprints with only failed or non-cacheable calls are never served.
        try await store.record(Self.call("g", error: "connection refused"))
        try await store.record(Self.call("h", response: ["text": "sampled"], cacheable: false))
        #expect(try await store.cachedResponse(for: "g") == nil)
        #expect(try await store.cachedResponse(for: "h") == nil)
        #expect(try await store.callCount() == 6)
    }

    @Test func recordsKeepEveryColumn() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try Store(path: folder.file("panel.sqlite"))
        try await store.record(Self.call("ok", run: "select:gsm8k"))
        try await store.record(Self.call("bad", error: "the prompt does not fit the context", run: "select:gsm8k"))
        let rows = try SQLiteConnection(path: store.path).query(
            "SELECT fingerprint, candidate, operation, cacheable, request, response, tokens_in, tokens_out, latency_ms, outcome, error, run FROM calls ORDER BY id"
        )
        #expect(rows.count == 2)
        #expect(rows[0] == [
            .text("ok"), .text("qwen"), .text("generate"), .integer(1), .text(#"{"prompt":"2*21?"}"#), .text(#"{"text":"42"}"#),
            .integer(5), .integer(1), .real(12.5), .text("ok"), .null, .text("select:gsm8k"),
        ])
        #expect(rows[1][5] == .null)
        #expect(rows[1][9] == .text("error"))
        #expect(rows[1][10] == .text("the prompt does not fit the context"))
    }

    @Test func callCountCountsAllOrOneRun() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try Store(path: folder.file("panel.sqlite"))
        try await store.record(Self.call("a", run: "select:gsm8k"))
        try await store.record(Self.call("b", run: "select:gsm8k"))
        try await store.record(Self.call("c", error: "x", run: "select:gsm8k"))
        try await store.record(Self.call("d", run: "ask"))
        try await store.record(Self.call("e"))
        #expect(try await store.callCount() == 5)
        #expect(try await store.callCount(run: "select:gsm8k") == 3)
        #expect(try await store.callCount(run: "ask") == 1)
        #expect(try await store.callCount(run: "nothing") == 0)
    }

    // MARK: Probes

    @Test func probesRoundTripPerPoolAndTheLatestWins() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try Store(path: folder.file("panel.sqlite"))
        let qwen = ProbeResult(
            candidateID: "qwen", reachable: true, latencyMs: 3.5, slots: 4, contextSize: 1024,
            modelIdentity: "llama-server:qwen.gguf",
            capabilities: Capabilities(chat: true, completion: true, maxN: 4, logprobs: true, scoring: .exact, lora: true, tokenize: true),
            warnings: ["no embeddings"])
        let gemma = ProbeResult(candidateID: "gemma", reachable: false, error: "connection refused")
        try await store.saveProbe(qwen, pool: "pool-1")
        try await store.saveProbe(gemma, pool: "pool-1")
        try await store.saveProbe(ProbeResult(candidateID: "qwen", reachable: false), pool: "pool-2")

        let probes = try await store.probes(pool: "pool-1")
        #expect(Set(probes.keys) == ["qwen", "gemma"])
        #expect(probes["qwen"]?.result == qwen)
        #expect(probes["gemma"]?.result == gemma)
        let age = try #require(probes["qwen"]?.age)
        #expect(age >= 0 && age < 3600)

        var again = qwen
        again.slots = 2
        try await store.saveProbe(again, pool: "pool-1")
        let updated = try await store.probes(pool: "pool-1")
        #expect(updated.count == 2)
        #expect(updated["qwen"]?.result.slots == 2)
        #expect(try await store.probes(pool: "pool-2")["qwen"]?.result.reachable == false)
        #expect(try await store.probes(pool: "other").isEmpty)
    }

    // MARK: Concurrency

    @Test func concurrentWritesAllLand() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try Store(path: folder.file("panel.sqlite"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<20 {
                group.addTask {
                    for call in 0..<5 { try await store.record(Self.call("t\(task)-\(call)", run: "run-\(task % 2)")) }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await store.callCount() == 100)
        #expect(try await store.callCount(run: "run-0") == 50)
        for task in 0..<20 { #expect(try await store.cachedResponse(for: "t\(task)-4") != nil) }
    }

    @Test func twoStoresOnOneFileBothWrite() async throws {
        // Two panel processes sharing a store: separate connections, serialised by SQLite's lock.
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("panel.sqlite")
        let first = try Store(path: path)
        let second = try Store(path: path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, store) in [first, second].enumerated() {
                for task in 0..<10 {
                    group.addTask { try await store.record(Self.call("s\(index)-\(task)")) }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await first.callCount() == 20)
        #expect(try await second.callCount() == 20)
    }
}
