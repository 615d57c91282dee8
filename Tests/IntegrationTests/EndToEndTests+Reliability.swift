import Foundation
@testable import PanelKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Faults, crashes, signals and secrets, against the suite's real llama-servers.
extension EndToEndTests {
    /// A cheap evaluate of the GSM8K ensemble: vote over one sample of each expert, plus both
    /// experts alone, `maxTokens` per answer.
    static func cheapEvaluateArguments(
        ensemble: String, bench: String, database: String, maxTokens: Int = 48, extra: [String] = []
    ) -> [String] {
        [
            "evaluate", "--ensemble", ensemble, "--bench", bench, "--modes", "vote", "--samples", "2", "--baselines",
            "--max-tokens", "\(maxTokens)", "--db", database, "--json",
        ] + extra
    }

    /// A copy of the GSM8K ensemble over a pool whose candidates sit behind `proxies` (the same ids and
    /// models, other URLs), with the pool file written too; `apiKeyVariable` is added to every candidate.
    func proxiedEnsemble(_ proxies: [LocalModel: FaultProxy], name: String, apiKeyVariable: String? = nil) async throws
        -> (ensemble: String, pool: String)
    {
        let selection = try await servers.gsm8kSelection()
        var poolText = PoolWriter.text(
            [.smol, .qwen], ports: proxies.mapValues(\.port), setup: servers.setup, description: "behind fault proxies")
        if let apiKeyVariable {
            poolText = poolText.replacingOccurrences(
                of: #""kind": "llama-server","#, with: #""kind": "llama-server", "api_key_env": "\#(apiKeyVariable)","#)
        }
        let pool = try servers.write("\(name)-pool.json", poolText)
        var spec = try JSONParser.parse(try String(contentsOfFile: selection.ensemble, encoding: .utf8)).objectValue ?? [:]
        spec["pool"] = ["path": .string(pool), "sha256": .string(try PoolLoader.load(path: pool).fingerprint)]
        let ensemble = try servers.write("\(name)-ensemble.json", JSONValue.object(spec).serialized(pretty: true))
        return (ensemble, pool)
    }

    /// One proxy in front of each of SmolLM2's and Qwen's servers.
    func startProxies() throws -> [LocalModel: FaultProxy] {
        var proxies: [LocalModel: FaultProxy] = [:]
        for model in [LocalModel.smol, .qwen] {
            proxies[model] = try FaultProxy(upstream: "http://127.0.0.1:\(servers.ports[model]!)")
        }
        return proxies
    }

    /// The calls recorded for `run`, and how many of them failed.
    static func recordedCalls(_ database: String, run: String) throws -> (calls: Int, errors: Int) {
        let rows = try SQLiteConnection(path: database).query(
            "SELECT COUNT(*), COALESCE(SUM(outcome = 'error'), 0) FROM calls WHERE run = ?", [.text(run)])
        return (rows.first?[0].int ?? -1, rows.first?[1].int ?? -1)
    }

    static func integrityCheck(_ database: String) throws -> String {
        try SQLiteConnection(path: database).query("PRAGMA integrity_check").first?.first?.string ?? "?"
    }

    // MARK: Fault injection

    @Test func evaluateWithOneCallInFiveFaultedCompletesAndAccountsForEveryCall() async throws {
        let proxies = try startProxies()
        defer { proxies.values.forEach { $0.stop() } }
        let (ensemble, pool) = try await proxiedEnsemble(proxies, name: "faulted")
        let bench = try servers.gsm8kBench()
        let database = servers.newStorePath()
        // Probe first, unfaulted: evaluate reuses the stored probes, so every request the proxies see
        // from here on is one of evaluate's model calls.
        let check = await runPanel(["pool", "check", pool, "--db", database])
        try #require(check.status == 0, "\(check.standardError)")
        for (index, proxy) in proxies.values.enumerated() {
            try await proxy.configure(["rate": 0.2, "seed": .int(11 + index), "stall_seconds": 40, "retry_after": 1])
        }
        // A stall must hit the idle timeout before the proxy gives up on it, and no honest answer may:
        // a first token takes a few seconds on a busy machine, so 20 s tells the two apart.
        let run = await runPanelRecording(
            Self.cheapEvaluateArguments(ensemble: ensemble, bench: bench, database: database, extra: ["--idle-timeout", "20"]))
        try #require(run.status == 0, "evaluate failed (\(run.status)): \(run.standardError.suffix(4000))")
        let json = try run.json()
        let runID = try #require(json["run"]?.stringValue)

        // Every (system, item) is answered or recorded as an error, never missing.
        let perItem = json["per_item"]?.arrayValue ?? []
        #expect(perItem.count == TaskFiles.gsm8kBench.count)
        let rows = try await Store(path: database).runItems(runID)
        #expect(rows.count == TaskFiles.gsm8kBench.count * 3)
        for row in rows {
            let answered = !(row.result["answer"]?.stringValue ?? "").isEmpty
            let failed = row.result["error"]?.stringValue != nil
            #expect(answered != failed, "\(row.system) \(row.item): \(row.result)")
        }

        // The proxies saw exactly the calls the store recorded, and every fault that fails a call
        // (all but a slow drip) is a recorded error. One exception, libcurl's: a reset of a reused
        // keep-alive connection before any response byte is resent by libcurl itself, so Panel sees
        // one call where the proxy saw two, the first of them faulted.
        var requests = 0
        var failing = 0
        var resent = 0
        var faulted: [String: Int] = [:]
        var paths: [JSONValue] = []
        for proxy in proxies.values {
            let stats = try await proxy.stats()
            paths.append(stats["by_path"] ?? .null)
            requests += stats["requests"]?.intValue ?? 0
            for (kind, count) in stats["faulted"]?.objectValue ?? [:] {
                let n = count.intValue ?? 0
                faulted[kind, default: 0] += n
                if kind != "drip" { failing += n }
            }
            resent += (stats["log"]?.arrayValue ?? []).filter { $0["fault"] == "reset" && $0["reused"] == true }.count
        }
        let recorded = try Self.recordedCalls(database, run: "eval:\(runID)")
        let operations = try SQLiteConnection(path: database).query(
            "SELECT operation, outcome, COUNT(*) FROM calls GROUP BY operation, outcome")
        let detail = "faults: \(faulted), \(resent) resent by libcurl; proxied paths: \(paths); recorded: \(operations)"
        #expect(recorded.calls == requests - resent, "\(detail)")
        #expect(recorded.errors == failing - resent, "\(detail)")
        // The seeds give a mix: at least a fifth of the requests were faulted, in several kinds.
        let total = faulted.values.reduce(0, +)
        #expect(total > 0 && Double(total) >= 0.1 * Double(requests), "\(total) of \(requests) faulted: \(faulted)")
        #expect(faulted.filter { $0.value > 0 }.count >= 3, "\(faulted)")
        // The call counts that evaluate reports are the same calls.
        let reported = (json["systems"]?.arrayValue ?? []).compactMap { $0["calls_per_item"]?.doubleValue }
        #expect(reported.count == 3)
        #expect(try Self.integrityCheck(database) == "ok")
    }

    @Test func anExpertWhoseServerKeepsFailingIsDroppedAndNobodyLeftIsAnError() async throws {
        let proxies = try startProxies()
        defer { proxies.values.forEach { $0.stop() } }
        let (ensemble, _) = try await proxiedEnsemble(proxies, name: "degraded")
        let bench = try servers.write(
            "degraded-bench.jsonl", try TaskFiles.lines(Array(TaskFiles.gsm8kBench.prefix(2)), from: ["gsm8k/test.jsonl"]))
        let qwen = proxies[.qwen]!
        try await qwen.configure(["rate": 1.0, "faults": ["500"]])

        // ask: Qwen's samples fail (after their retries); SmolLM2's answer the vote.
        let ask = await runPanelRecording([
            "ask", "--ensemble", ensemble, "--mode", "vote", "--samples", "2", "--max-tokens", "48", "--trace",
            "--db", servers.newStorePath(), TaskFiles.arithmeticQuestion,
        ])
        #expect(ask.status == 0, "\(ask.standardError.suffix(3000))")
        #expect(ask.standardError.contains("trace: proposal from \(Self.qwen) failed"), "\(ask.standardError.suffix(3000))")
        #expect(ask.standardError.contains("trace: proposal from \(Self.smol)"))
        #expect(ask.standardError.contains("warning: left out 1 failed call"), "\(ask.standardError.suffix(3000))")
        #expect(!ask.standardOutput.text.isEmpty)

        // evaluate: every vote item is answered by SmolLM2 alone, with Qwen's failure recorded on it;
        // Qwen alone is an error on every item, with no answer made up.
        let database = servers.newStorePath()
        try await qwen.configure(["rate": 1.0, "faults": ["500"]])  // counts from zero
        let evaluate = await runPanelRecording(Self.cheapEvaluateArguments(ensemble: ensemble, bench: bench, database: database))
        #expect(evaluate.status == 0, "\(evaluate.standardError.suffix(3000))")
        let json = try evaluate.json()
        let runID = try #require(json["run"]?.stringValue)
        let rows = try await Store(path: database).runItems(runID)
        #expect(rows.count == 6)
        for row in rows {
            let answer = row.result["answer"]?.stringValue ?? ""
            switch row.system {
            case "vote":
                #expect(!answer.isEmpty && row.result["error"] == .null, "\(row.result)")
                // Qwen's call failed with the injected 500, or fast once its circuit had opened.
                let failure = row.result["failures"]?.stringList.first ?? ""
                #expect(failure.contains("HTTP 500") || failure.contains("circuit open"), "\(row.result)")
            case "single:\(Self.qwen)":
                #expect(answer.isEmpty && row.result["extracted"] == .null, "\(row.result)")
                let error = row.result["error"]?.stringValue ?? ""
                #expect(error.contains("HTTP 500") || error.contains("circuit open"), "\(row.result)")
            default:
                #expect(!answer.isEmpty && row.result["error"] == .null, "\(row.result)")
            }
        }
        // Five failures in a row opened Qwen's circuit: later calls failed fast, unsent (without the
        // breaker, its 4 calls would have made 4 attempts each).
        let sent = try await qwen.stats()["requests"]?.intValue ?? 0
        #expect(sent < 4 * 4, "\(sent) requests reached Qwen's proxy")

        // With SmolLM2 failing too, nobody is left: the vote is an error, not a made-up answer.
        try await proxies[.smol]!.configure(["rate": 1.0, "faults": ["503"], "retry_after": 0])
        let none = await runPanelRecording(
            Self.cheapEvaluateArguments(ensemble: ensemble, bench: bench, database: servers.newStorePath(), extra: ["--retries", "1"]))
        #expect(none.status == 0, "\(none.standardError.suffix(3000))")
        for system in try none.json()["systems"]?.arrayValue ?? [] {
            #expect(system["errors"] == 2, "\(system)")
            #expect(system["accuracy"]?.doubleValue == 0, "\(system)")
        }
    }

    // MARK: Crash safety

    @Test func evaluateKilledTenTimesAtRandomMomentsFinishesEveryItemExactlyOnce() async throws {
        let selection = try await servers.gsm8kSelection()
        let bench = try servers.gsm8kBench()
        let database = servers.newStorePath()
        let arguments = Self.cheapEvaluateArguments(
            ensemble: selection.ensemble, bench: bench, database: database, maxTokens: 96)
        let total = TaskFiles.gsm8kBench.count * 3
        var random = SplitMix64(seed: 20261202)
        var kept: [String: JSONValue] = [:]
        var kills = 0
        var runID: String?
        for attempt in 0..<10 {
            let process = try PanelProcess(arguments, folder: servers.folder, name: "evaluate-kill-\(attempt)")
            // Between 0.2 s (still starting up) and 4 s (a few items committed): the whole run takes
            // longer than ten such slices, so every one of the ten kills interrupts it.
            let delay = 0.2 + Double(random.next() % 3800) / 1000
            try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
            try #require(process.isRunning, "evaluate finished before kill \(kills + 1): \(process.standardError.suffix(1000))")
            process.kill()
            try await process.wait(timeout: .seconds(30))
            #expect(process.terminationSignal == SIGKILL)
            kills += 1
            guard FileManager.default.fileExists(atPath: database) else { continue }
            #expect(try Self.integrityCheck(database) == "ok", "after kill \(kills)")
            let store = try Store(path: database)
            if runID == nil { runID = try await store.runs().first?.id }
            guard let runID else { continue }
            let rows = try await store.runItems(runID)
            let now = Dictionary(uniqueKeysWithValues: rows.map { ("\($0.system)|\($0.item)", $0.result) })
            #expect(now.count == rows.count, "a (system, item) was stored twice")
            // What was committed before a kill stays as it was.
            for (key, result) in kept { #expect(now[key] == result, "\(key) changed after kill \(kills)") }
            kept = now
        }
        #expect(kills == 10)
        #expect(kept.count < total, "every item finished before the last kill")

        let last = try PanelProcess(arguments, folder: servers.folder, name: "evaluate-kill-final")
        let status = try await last.wait(timeout: .seconds(1200))
        try #require(status == 0, "the final evaluate failed (\(status)): \(last.standardError.suffix(3000))")
        let json = try JSONParser.parse(last.standardOutput)
        let id = try #require(json["run"]?.stringValue)
        if let runID { #expect(id == runID) }
        let store = try Store(path: database)
        #expect(try await store.runs().map(\.id) == [id])
        let rows = try await store.runItems(id)
        #expect(rows.count == total)
        #expect(Set(rows.map { "\($0.system)|\($0.item)" }).count == total)
        for row in rows {
            if let before = kept["\(row.system)|\(row.item)"] { #expect(row.result == before) }
        }
        #expect(try await store.run(id)?.status == "complete")
        #expect(try Self.integrityCheck(database) == "ok")
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func evaluateStopsCleanlyOnASignal(_ signal: Int32) async throws {
        let selection = try await servers.gsm8kSelection()
        let bench = try servers.gsm8kBench()
        let database = servers.newStorePath()
        // Long answers, so calls are in flight when the signal arrives.
        let arguments = Self.cheapEvaluateArguments(
            ensemble: selection.ensemble, bench: bench, database: database, maxTokens: 256, extra: ["--fresh"])
        let process = try PanelProcess(arguments, folder: servers.folder, name: "evaluate-signal-\(signal)")
        let runID = try await Self.waitForRunID(process)
        let store = try Store(path: database)
        let deadline = ContinuousClock.now + .seconds(600)
        while try await store.runItems(runID).isEmpty {
            try #require(process.isRunning, "evaluate ended early: \(process.standardError.suffix(2000))")
            try #require(ContinuousClock.now < deadline, "no item committed in 10 minutes")
            try await Task.sleep(for: .milliseconds(100))
        }
        let sent = ContinuousClock.now
        kill(process.pid, signal)
        let status = try await process.wait(timeout: .seconds(60))
        let stoppedAfter = ContinuousClock.now - sent
        #expect(process.terminationSignal == nil, "died by signal \(process.terminationSignal ?? 0)")
        #expect(status == 128 + signal)
        // In-flight generations (up to 256 tokens, tens of seconds each) were cancelled, not awaited.
        #expect(stoppedAfter < .seconds(15), "took \(stoppedAfter) to stop")
        #expect(process.standardError.contains(signal == SIGTERM ? "stopped by SIGTERM" : "interrupted"))
        #expect(try Self.integrityCheck(database) == "ok")
        let rows = try await store.runItems(runID)
        #expect(!rows.isEmpty)
        #expect(Set(rows.map { "\($0.system)|\($0.item)" }).count == rows.count)
        // An interrupted call is not a finished one: nothing cancelled was stored as an answer.
        let partial = try SQLiteConnection(path: database).query(
            "SELECT COUNT(*) FROM calls WHERE run = ? AND outcome = 'ok' AND (response IS NULL OR response = '')",
            [.text("eval:\(runID)")])
        #expect(partial.first?.first?.int == 0)
        #expect(try await store.run(runID)?.status == "running")
    }

    // MARK: Secrets

    @Test func anAPIKeyNeverReachesTheStoreReportsTracesOrLogs() async throws {
        let proxies = try startProxies()
        defer { proxies.values.forEach { $0.stop() } }
        let variable = "PANEL_TEST_SECRET_KEY"
        let secret = "sk-planted-\(UUID().uuidString)"
        let (ensemble, _) = try await proxiedEnsemble(proxies, name: "secret", apiKeyVariable: variable)
        let bench = try servers.write("secret-bench.jsonl", try TaskFiles.lines(Array(TaskFiles.gsm8kBench.prefix(2)), from: ["gsm8k/test.jsonl"]))
        let database = servers.newStorePath()
        let report = "\(servers.folder)/secret-report.html"
        let markdown = "\(servers.folder)/secret-report.md"
        // A proxy fault makes an error message too, so error paths are searched as well.
        for proxy in proxies.values { try await proxy.configure(["rate": 0.3, "seed": 5, "faults": ["500", "reset"]]) }

        let evaluate = try PanelProcess(
            Self.cheapEvaluateArguments(
                ensemble: ensemble, bench: bench, database: database, extra: ["--report", report, "--markdown", markdown]),
            folder: servers.folder, name: "secret-evaluate", environment: [variable: secret])
        #expect(try await evaluate.wait(timeout: .seconds(900)) == 0, "\(evaluate.standardError.suffix(3000))")
        let ask = try PanelProcess(
            ["ask", "--ensemble", ensemble, "--mode", "vote", "--samples", "2", "--max-tokens", "32", "--trace", "--db", database,
             TaskFiles.arithmeticQuestion],
            folder: servers.folder, name: "secret-ask", environment: [variable: secret])
        #expect(try await ask.wait(timeout: .seconds(600)) == 0, "\(ask.standardError.suffix(3000))")
        let askJSON = try PanelProcess(
            ["ask", "--ensemble", ensemble, "--mode", "vote", "--samples", "2", "--max-tokens", "32", "--json", "--db", database,
             TaskFiles.arithmeticQuestion],
            folder: servers.folder, name: "secret-ask-json", environment: [variable: secret])
        #expect(try await askJSON.wait(timeout: .seconds(600)) == 0, "\(askJSON.standardError.suffix(3000))")

        // The key did go to the servers (else the test proves nothing)…
        var authorized = 0
        for proxy in proxies.values {
            let log = try await proxy.stats()["log"]?.arrayValue ?? []
            authorized += log.filter { $0["authorization"]?.stringValue == "Bearer \(secret)" }.count
        }
        #expect(authorized > 0)
        // …and nowhere else: not the store (with its WAL), the reports, stdout, stderr or traces.
        let files = [database, database + "-wal", report, markdown] + [evaluate, ask, askJSON].flatMap { [$0.outputPath, $0.errorPath] }
        var searched = 0
        for file in files where FileManager.default.fileExists(atPath: file) {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            searched += 1
            #expect(data.range(of: Data(secret.utf8)) == nil, "the key is in \(file)")
            #expect(data.range(of: Data("sk-planted".utf8)) == nil, "part of the key is in \(file)")
        }
        #expect(searched >= 8)
        #expect(ask.standardError.contains("trace: "))
    }
}
