import Foundation
import PanelKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The three commands end to end against the three real local models: `select-experts` scores and
/// chooses, `ask` answers in every mode, `evaluate` measures, survives a SIGKILL and renders its report.
///
/// Serialized: the servers and the machine's two cores are shared by every test. The expensive
/// selections are made once and shared (`LlamaServers.gsm8kSelection()`, `mixedSelection()`).
/// Nothing here asserts on timing.
@Suite(.integration, .llamaServers(.localPool), .serialized) struct EndToEndTests {
    var servers: LlamaServers { LlamaServers.current! }

    static let smol = LocalModel.smol.id
    static let qwen = LocalModel.qwen.id
    static let gemma = LocalModel.gemma.id

    // MARK: select-experts

    @Test func selectExpertsRanksQwenFirstByBitsPerByteAndWritesALoadableEnsemble() async throws {
        let selection = try await servers.gsm8kSelection()
        let json = selection.json

        let chosen = json["chosen"]?.stringList ?? []
        #expect(!chosen.isEmpty)
        #expect(Set(chosen).isSubset(of: [Self.smol, Self.qwen]))
        #expect(["self-moa", "moe", "moa", "vote"].contains(json["mode"]?.stringValue ?? ""), "\(json["mode"] ?? .null)")
        #expect([Self.smol, Self.qwen].contains(json["aggregator"]?.stringValue ?? ""))
        #expect(json["perplexity_metric"] == "reasoning_bpb")  // two tokenizers
        #expect((json["model_calls"]?.intValue ?? 0) > 0)
        #expect(json["cache_hits"]?.intValue != nil)

        let candidates = try #require(json["candidates"]?.arrayValue)
        #expect(candidates.compactMap { $0["id"]?.stringValue } == [Self.smol, Self.qwen])
        var bpb: [String: Double] = [:]
        for candidate in candidates {
            let id = try #require(candidate["id"]?.stringValue)
            let accuracy = try #require(candidate["accuracy"]?.doubleValue, "\(id) has no accuracy")
            #expect((0...1).contains(accuracy))
            #expect(candidate["items"] == 6)
            #expect(candidate["errors"] == 0, "\(id): \(candidate)")
            #expect(candidate["scoring"] == "exact")
            let ppl = try #require(candidate["reasoning_ppl"]?.doubleValue, "\(id) has no reasoning perplexity")
            #expect(ppl > 1 && ppl.isFinite)
            let bits = try #require(candidate["reasoning_bpb"]?.doubleValue, "\(id) has no bits per byte")
            #expect(bits > 0 && bits < 8)
            bpb[id] = bits
        }
        // Bits per byte of the gold rationales: Qwen 1.38 against SmolLM2 1.48 on 12 items.
        #expect(try #require(bpb[Self.qwen]) < (try #require(bpb[Self.smol])), "\(bpb)")
        let qwen = try #require(candidates.first { $0["id"] == .string(Self.qwen) })
        #expect(qwen["rank"] == 1, "\(candidates)")
        #expect(chosen.first == Self.qwen)

        // The ensemble file loads and matches the report.
        let spec = try EnsembleSpec.load(path: selection.ensemble)
        #expect(spec.experts.first?.id == Self.qwen)  // the best expert first
        #expect(Set(spec.experts(with: .proposer).map(\.id)) == Set(chosen))
        #expect(spec.aggregator == json["aggregator"]?.stringValue)
        #expect(spec.mode.rawValue == json["mode"]?.stringValue)
        #expect(spec.router.items.map(\.id) == TaskFiles.gsm8kKShot)
        #expect(spec.router.items.allSatisfy { Set($0.correct.keys) == [Self.smol, Self.qwen] })
        #expect(spec.poolPath == selection.pool)
        #expect(spec.taskType == .number)
    }

    @Test func aSecondIdenticalSelectionMakesNoModelCall() async throws {
        let selection = try await servers.gsm8kSelection()
        let again = await runPanelRecording(selection.arguments)
        try #require(again.status == 0, "\(again.standardError.suffix(3000))")
        let json = try again.json()
        #expect(json["model_calls"] == 0, "a repeated selection called the models again")
        #expect((json["cache_hits"]?.intValue ?? 0) > 0)
        #expect(json["chosen"] == selection.json["chosen"])
        #expect(json["mode"] == selection.json["mode"])
        #expect(json["aggregator"] == selection.json["aggregator"])
        for (first, second) in zip(selection.json["candidates"]?.arrayValue ?? [], json["candidates"]?.arrayValue ?? []) {
            #expect(first["accuracy"] == second["accuracy"])
            #expect(first["reasoning_bpb"] == second["reasoning_bpb"])
        }
    }

    @Test func halvingReachesTheExhaustiveChoiceWithFewerRequests() async throws {
        // The GSM8K store already holds SmolLM2's and Qwen's answers: only Gemma's are new.
        let base = try await servers.gsm8kSelection()
        let models: [LocalModel] = [.smol, .qwen, .gemma]
        let extra = ["--aggregator-trials", "0"]
        let exhaustive = try await servers.select(
            models, kshot: base.kshot, database: base.database, out: "\(servers.folder)/ensembles/gsm8k-3.json", extra: extra)
        let halving = try await servers.select(
            models, kshot: base.kshot, database: base.database, out: "\(servers.folder)/ensembles/gsm8k-3h.json",
            extra: extra + ["--strategy", "halving"])

        let e = exhaustive.json
        let h = halving.json
        #expect(e["strategy"] == "exhaustive")
        #expect(h["strategy"] == "halving")
        // Every candidate scores exactly: a generation and a scoring request per (candidate, item).
        #expect(e["requests_exhaustive"] == 36)
        #expect(e["requests_used"] == 36)
        #expect(h["requests_exhaustive"] == 36)
        let used = try #require(h["requests_used"]?.intValue)
        #expect(used < 36, "halving used \(used) requests")
        #expect(h["model_calls"] == 0, "halving repeated calls the exhaustive run had stored")

        let gemma = try #require(e["candidates"]?.arrayValue?.first { $0["id"] == .string(Self.gemma) })
        #expect(gemma["errors"] == 0, "\(gemma)")
        #expect(gemma["items"] == 6)
        #expect(gemma["reasoning_bpb"]?.doubleValue != nil)

        let chosen = e["chosen"]?.stringList ?? []
        #expect(!chosen.isEmpty)
        #expect(h["chosen"] == e["chosen"], "exhaustive \(e["candidates"] ?? .null)\nhalving \(h["candidates"] ?? .null)")
        let dropped = (h["candidates"]?.arrayValue ?? []).filter { $0["why"]?.stringValue?.hasPrefix("dropped by halving") == true }
        #expect(dropped.count == 1, "\(h["candidates"] ?? .null)")
        for candidate in dropped {
            let id = candidate["id"]?.stringValue ?? ""
            #expect(!(h["chosen"]?.stringList.contains(id) ?? false))
            #expect((candidate["items"]?.intValue ?? 0) < 6)
        }
    }

    // MARK: ask

    @Test func selfMoAStreamsItsAnswerAndFusesSixSeededSamplesOverTwoRounds() async throws {
        let selection = try await servers.gsm8kSelection()
        let spec = try EnsembleSpec.load(path: selection.ensemble)
        try #require(spec.experts(with: .shared).first?.id == Self.qwen, "the best expert is not Qwen: \(spec.experts)")
        let arguments = [
            "ask", "--ensemble", selection.ensemble, "--mode", "self-moa", "--samples", "6", "--window", "3",
            "--max-tokens", "256", "--seed", "2024", "--db", selection.database,
        ]

        // Streaming: the aggregator's answer arrives on stdout in pieces.
        let streamed = await runPanelRecording(arguments + [TaskFiles.arithmeticQuestion])
        try #require(streamed.status == 0, "\(streamed.standardError.suffix(3000))")
        let text = streamed.standardOutput.text.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!text.isEmpty)
        #expect(streamed.standardOutput.writes.count > 3, "the answer was not streamed: \(streamed.standardOutput.writes)")
        #expect(streamed.standardError.contains("answer: "), "\(streamed.standardError)")
        #expect(streamed.standardError.contains("self-moa; 6/6 samples"), "\(streamed.standardError)")

        // The same question and seed again, as JSON: every sample and round is served from the store.
        let run = await runPanelRecording(arguments + ["--json", TaskFiles.arithmeticQuestion])
        try #require(run.status == 0, "\(run.standardError.suffix(3000))")
        let json = try run.json()
        #expect(json["mode"] == "self-moa")
        #expect(json["type"] == "number")
        let proposals = try #require(json["trace"]?["proposals"]?.arrayValue)
        #expect(proposals.count == 6)
        #expect(proposals.allSatisfy { $0["expert"] == .string(Self.qwen) })
        let seeds = proposals.compactMap { $0["seed"]?.intValue }
        #expect(Set(seeds).count == 6, "seeds \(seeds)")
        #expect(Set(seeds) == Set(2024..<2030))
        let rounds = try #require(json["trace"]?["rounds"]?.arrayValue)
        #expect(rounds.count >= 2, "collapsed: \(json["trace"]?["collapsed"] ?? .null), rounds \(rounds)")
        if rounds.count >= 2 {
            #expect(rounds[0]["carried"] == false)
            #expect(rounds[1]["carried"] == true)
        }
        let extracted = try #require(json["extracted"]?.stringValue, "no number extracted: \(json["answer"] ?? .null)")
        #expect(Double(extracted) != nil, "\(extracted) is not a number")
        #expect(json["usage"]?["calls"] == 0, "a repeated seeded question called the models again")
        #expect(json["usage"]?["cache_hits"]?.intValue == 6 + rounds.count)
        // What was streamed is the final answer.
        let answer = try #require(json["answer"]?.stringValue).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(text.contains(answer), "streamed:\n\(text)\n\nanswer:\n\(answer)")
    }

    /// The mixed selection's router data: its proposers, and how many items of each kind each got right.
    static func routerFacts(_ selection: Selection) throws -> (proposers: [String], arithmetic: [String: Int], choice: [String: Int]) {
        let ensemble = try JSONParser.parse(try String(contentsOfFile: selection.ensemble, encoding: .utf8))
        let items = try #require(ensemble["router"]?["items"]?.arrayValue)
        #expect(items.compactMap { $0["id"]?.stringValue } == TaskFiles.mixedKShot)
        #expect(ensemble["task_type"] == "mixed")
        let proposers = (ensemble["experts"]?.arrayValue ?? []).filter { $0["roles"]?.stringList.contains("proposer") == true }
            .compactMap { $0["id"]?.stringValue }
        func rightCounts(prefix: String) -> [String: Int] {
            var counts = Dictionary(uniqueKeysWithValues: proposers.map { ($0, 0) })
            for item in items where item["id"]?.stringValue?.hasPrefix(prefix) == true {
                for expert in proposers where item["correct"]?[expert] == true { counts[expert, default: 0] += 1 }
            }
            return counts
        }
        return (proposers, rightCounts(prefix: "gsm8k"), rightCounts(prefix: "arc_easy"))
    }

    /// The expert most often right, if exactly one is.
    static func uniqueBest(_ counts: [String: Int]) -> String? {
        guard let best = counts.max(by: { $0.value < $1.value }), best.value > 0,
            counts.values.filter({ $0 == best.value }).count == 1
        else { return nil }
        return best.key
    }

    @Test func moeRoutesAnArithmeticQuestionToTheExpertRightOnTheArithmeticKShotItems() async throws {
        let selection = try await servers.mixedSelection()
        let facts = try Self.routerFacts(selection)
        #expect(Set(facts.proposers) == [Self.smol, Self.qwen])
        let best = try #require(
            Self.uniqueBest(facts.arithmetic), "no single expert is most often right on the arithmetic K-shot items: \(facts)")

        let run = await runPanelRecording([
            "ask", "--ensemble", selection.ensemble, "--mode", "moe", "--max-tokens", "256", "--json", "--db",
            selection.database, TaskFiles.arithmeticQuestion,
        ])
        try #require(run.status == 0, "\(run.standardError.suffix(3000))")
        let json = try run.json()
        #expect(json["mode"] == "moe")
        let routing = try #require(json["trace"]?["routing"])
        #expect(routing["ranking"]?[0]?["expert"] == .string(best), "right on the K-shot items: \(facts); routing \(routing)")
        #expect(routing["type"] == "number")
        // Multiple-choice items say nothing about who solves arithmetic: they are not neighbours.
        let nearest = routing["nearest"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        #expect(!nearest.isEmpty && nearest.allSatisfy { $0.hasPrefix("gsm8k") }, "\(nearest)")
        let experts = routing["experts"]?.stringList ?? []
        #expect(!experts.isEmpty && experts.count <= 2)
        #expect(json["type"] == "number")
        let extracted = json["extracted"]?.stringValue
        #expect(extracted.flatMap(Double.init) != nil || extracted == nil, "\(json["answer"] ?? .null)")
    }

    @Test func moeRoutesAMultipleChoiceQuestionByTheARCItems() async throws {
        let selection = try await servers.mixedSelection()
        let facts = try Self.routerFacts(selection)
        let run = await runPanelRecording([
            "ask", "--ensemble", selection.ensemble, "--mode", "moe", "--max-tokens", "256", "--json", "--db",
            selection.database, TaskFiles.multipleChoiceQuestion,
        ])
        try #require(run.status == 0, "\(run.standardError.suffix(3000))")
        let json = try run.json()
        #expect(json["type"] == "multiple-choice")
        let routing = try #require(json["trace"]?["routing"])
        #expect(routing["type"] == "multiple-choice", "\(routing)")
        let nearest = routing["nearest"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        #expect(!nearest.isEmpty && nearest.allSatisfy { $0.hasPrefix("arc_easy") }, "\(nearest)")
        if let best = Self.uniqueBest(facts.choice) {
            #expect(routing["ranking"]?[0]?["expert"] == .string(best), "right on the K-shot items: \(facts); routing \(routing)")
        }
        let letter = try #require(json["extracted"]?.stringValue, "no letter extracted: \(json["answer"] ?? .null)")
        #expect(["A", "B", "C", "D"].contains(letter))
    }

    @Test func voteReturnsTheWeightedMajorityOfItsProposals() async throws {
        let selection = try await servers.gsm8kSelection()
        let spec = try EnsembleSpec.load(path: selection.ensemble)
        let run = await runPanelRecording([
            "ask", "--ensemble", selection.ensemble, "--mode", "vote", "--samples", "4", "--max-tokens", "256",
            "--json", "--db", selection.database, TaskFiles.arithmeticQuestion,
        ])
        try #require(run.status == 0, "\(run.standardError.suffix(3000))")
        let json = try run.json()
        #expect(json["mode"] == "vote")
        #expect(json["trace"]?["rounds"]?.arrayValue?.isEmpty == true)  // no aggregator
        let proposals = try #require(json["trace"]?["proposals"]?.arrayValue)
        let proposers = spec.experts(with: .proposer).map(\.id)
        #expect(proposals.count == 4)
        #expect(Set(proposals.compactMap { $0["expert"]?.stringValue }) == Set(proposers))

        // The weighted majority, computed here from the proposals and the experts' K-shot accuracy.
        let accuracy = Dictionary(uniqueKeysWithValues: spec.experts.map { ($0.id, $0.accuracy) })
        var tally: [String: (weight: Double, votes: Int, first: Int)] = [:]
        for (index, proposal) in proposals.enumerated() {
            guard let answer = proposal["extracted"]?.stringValue, let expert = proposal["expert"]?.stringValue else { continue }
            var entry = tally[answer] ?? (0, 0, index)
            entry.weight += (accuracy[expert] ?? 0) + 0.05
            entry.votes += 1
            tally[answer] = entry
        }
        let expected = tally.max { a, b in
            (a.value.weight, a.value.votes, -a.value.first) < (b.value.weight, b.value.votes, -b.value.first)
        }?.key
        #expect(json["extracted"]?.stringValue == expected, "proposals: \(proposals.map { $0["extracted"] ?? .null }); tally \(tally)")
        #expect(json["trace"]?["vote"]?[0]?["answer"]?.stringValue == expected)
        if let expected {
            // The answer text is a proposal that gave the winning answer.
            let texts = proposals.filter { $0["extracted"] == .string(expected) }.compactMap { $0["text"]?.stringValue }
            #expect(texts.contains(json["answer"]?.stringValue ?? ""))
        }
    }

    // MARK: evaluate

    static func evaluateArguments(ensemble: String, bench: String, database: String) -> [String] {
        [
            "evaluate", "--ensemble", ensemble, "--bench", bench, "--modes", "vote", "--samples", "2", "--baselines",
            "--max-tokens", "256", "--db", database, "--json",
        ]
    }

    static let systems = ["vote", "single:\(LocalModel.smol.id)", "single:\(LocalModel.qwen.id)"]

    @Test func evaluateKilledWithSIGKILLResumesTheSameRunWithoutRepeatingOrDuplicatingItems() async throws {
        let selection = try await servers.gsm8kSelection()
        let bench = try servers.gsm8kBench()
        let database = servers.newStorePath()
        let arguments = Self.evaluateArguments(ensemble: selection.ensemble, bench: bench, database: database)
        let total = TaskFiles.gsm8kBench.count * Self.systems.count

        // 1. Start, wait until at least two (system, item) results are committed, then SIGKILL.
        let first = try PanelProcess(arguments, folder: servers.folder, name: "evaluate-killed")
        let runID = try await Self.waitForRunID(first)
        let store = try Store(path: database)
        var before: [String: JSONValue] = [:]
        let deadline = ContinuousClock.now + .seconds(900)
        while before.count < 2 {
            try #require(first.isRunning, "evaluate ended before it was killed: \(first.standardError.suffix(2000))")
            try #require(ContinuousClock.now < deadline, "fewer than 2 items committed in 15 minutes")
            try await Task.sleep(for: .milliseconds(100))
            before = Dictionary(uniqueKeysWithValues: try await store.runItems(runID).map { ("\($0.system)|\($0.item)", $0.result) })
        }
        first.kill()
        try await first.wait(timeout: .seconds(30))
        #expect(first.terminationSignal == SIGKILL)
        #expect(first.standardOutput.isEmpty)
        // What the store holds after the kill (a commit may have landed between the poll and the kill).
        before = Dictionary(uniqueKeysWithValues: try await store.runItems(runID).map { ("\($0.system)|\($0.item)", $0.result) })
        try #require(before.count < total, "every item finished before the kill: nothing left to resume")
        #expect(try await store.run(runID)?.status == "running")

        // 2. The same command again resumes the run and finishes it.
        let second = try PanelProcess(arguments, folder: servers.folder, name: "evaluate-resumed")
        let status = try await second.wait(timeout: .seconds(1500))
        try #require(status == 0, "resumed evaluate failed (\(status)): \(second.standardError.suffix(3000))")
        #expect(
            second.standardError.contains("resuming run \(runID): \(before.count) of \(total) already done"),
            "\(second.standardError.prefix(2000))")
        let json = try JSONParser.parse(second.standardOutput)
        #expect(json["run"] == .string(runID))
        #expect(json["items"] == .int(TaskFiles.gsm8kBench.count))
        let systems = try #require(json["systems"]?.arrayValue)
        #expect(systems.compactMap { $0["name"]?.stringValue } == Self.systems)
        for system in systems {
            let name = system["name"]?.stringValue ?? "?"
            let accuracy = try #require(system["accuracy"]?.doubleValue, "\(name)")
            #expect((0...1).contains(accuracy))
            let ci = system["ci"]?.arrayValue?.compactMap(\.doubleValue) ?? []
            #expect(ci.count == 2, "\(name): \(system)")
            if ci.count == 2 { #expect(ci[0] <= accuracy && accuracy <= ci[1], "\(name): \(system)") }
            #expect((system["calls_per_item"]?.doubleValue ?? 0) >= 1, "\(name): \(system)")
            #expect((system["tokens_per_item"]?.doubleValue ?? 0) > 0, "\(name): \(system)")
            #expect(system["errors"] == 0, "\(name): \(system)")
            #expect(system["items"] == .int(TaskFiles.gsm8kBench.count), "\(name): \(system)")
        }
        #expect((json["per_item"]?.arrayValue?.count ?? 0) == TaskFiles.gsm8kBench.count)

        // 3. The store holds every (system, item) exactly once, in the one run; the results committed
        // before the kill were kept, not recomputed.
        #expect(try await store.runs().map(\.id) == [runID])
        let rows = try await store.runItems(runID)
        #expect(rows.count == total)
        let keys = rows.map { "\($0.system)|\($0.item)" }
        #expect(Set(keys).count == total)
        let expected = Set(TaskFiles.gsm8kBench.flatMap { item in Self.systems.map { "\($0)|\(item)" } })
        #expect(Set(keys) == expected)
        let after = Dictionary(uniqueKeysWithValues: rows.map { ("\($0.system)|\($0.item)", $0.result) })
        for (key, result) in before { #expect(after[key] == result, "\(key) changed after the resume") }
        #expect(try await store.run(runID)?.status == "complete")

        // 4. `runs list` shows it; `runs show` reproduces its accuracies.
        let list = await runPanel(["runs", "list", "--db", database])
        #expect(list.status == 0)
        let line = list.standardOutput.split(separator: "\n").first { $0.hasPrefix(runID) }
        #expect(line?.contains("complete") == true, "\(list.standardOutput)")
        #expect(line?.contains("\(total)/\(total)") == true, "\(list.standardOutput)")
        let show = await runPanel(["runs", "show", runID, "--json", "--db", database])
        #expect(show.status == 0, "\(show.standardError)")
        let shown = try JSONParser.parse(show.standardOutput)
        #expect(shown["run"] == .string(runID))
        let accuracies = systems.map { [$0["name"] ?? .null, $0["accuracy"] ?? .null, $0["ci"] ?? .null] }
        let shownAccuracies = (shown["systems"]?.arrayValue ?? []).map { [$0["name"] ?? .null, $0["accuracy"] ?? .null, $0["ci"] ?? .null] }
        #expect(shownAccuracies == accuracies)

        await servers.shared.set("completed evaluation", database)
    }

    /// Waits for `evaluate` to announce its run on stderr (it has then created the run in the store).
    static func waitForRunID(_ process: PanelProcess) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline {
            let text = process.standardError
            if let range = text.range(of: #"run (eval-[0-9]{8}-[0-9]{6}-[0-9a-f]+): "#, options: .regularExpression) {
                let words = text[range].split(separator: " ")
                return String(words[1].dropLast())
            }
            try #require(process.isRunning, "evaluate exited before starting a run: \(text.suffix(2000))")
            try await Task.sleep(for: .milliseconds(100))
        }
        throw IntegrationSetupError(message: "evaluate announced no run: \(process.standardError.suffix(2000))")
    }

    // MARK: report

    @Test func theHTMLReportRendersInHeadlessChromium() async throws {
        let chromium = try #require(
            Chromium.executable,
            "the report test needs chromium (Debian package 'chromium'; 'make setup' installs it), or set PANEL_SKIP_INTEGRATION=1")
        let selection = try await servers.gsm8kSelection()
        let bench = try servers.gsm8kBench()
        // The run the SIGKILL test completed resumes with nothing to do; else this evaluates from scratch.
        let database = await servers.shared.existing("completed evaluation", as: String.self) ?? servers.newStorePath()
        let report = "\(servers.folder)/reports/r.html"
        let run = await runPanelRecording(
            Self.evaluateArguments(ensemble: selection.ensemble, bench: bench, database: database) + ["--report", report])
        try #require(run.status == 0, "\(run.standardError.suffix(3000))")
        let json = try run.json()
        #expect(json["report"] == .string(report))
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))

        let profile = "\(servers.folder)/chromium-profile"
        let dom = try Chromium.run(chromium, ["--dump-dom", "file://\(report)"], profile: profile)
        #expect(dom.status == 0, "\(dom.errors.suffix(2000))")
        #expect(dom.output.contains(#"id="accuracy-bars""#), "\(dom.output.prefix(500))")
        #expect(dom.output.contains(#"id="cost-scatter""#))
        #expect(dom.output.contains(#"<table class="items">"#))
        for item in TaskFiles.gsm8kBench { #expect(dom.output.contains("<code>\(item)</code>"), "\(item) has no row") }
        for system in Self.systems { #expect(dom.output.contains(system)) }
        // The SVGs were parsed as SVG: one bar per system, one point per system.
        #expect(dom.output.components(separatedBy: #"<rect class="bar""#).count - 1 >= Self.systems.count)
        #expect(dom.output.components(separatedBy: #"<circle class="point""#).count - 1 == Self.systems.count)

        let png = "\(servers.folder)/reports/r.png"
        let shot = try Chromium.run(
            chromium, ["--screenshot=\(png)", "--window-size=1200,1600", "file://\(report)"], profile: profile)
        #expect(shot.status == 0, "\(shot.errors.suffix(2000))")
        let data = try #require(FileManager.default.contents(atPath: png), "no screenshot at \(png)")
        #expect(data.count > 10_000, "the screenshot is only \(data.count) bytes")
        #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))

        // `runs show` rewrites the same report from the store, into a folder that does not exist yet.
        let runID = try #require(json["run"]?.stringValue)
        let again = "\(servers.folder)/reports/again/\(runID).html"
        let show = await runPanel(["runs", "show", runID, "--db", database, "--report", again])
        #expect(show.status == 0, "\(show.standardError)")
        #expect(FileManager.default.contents(atPath: again) == FileManager.default.contents(atPath: report))

        // The script for humans agrees.
        let script = LocalModels.root.appendingPathComponent("scripts/check-report.sh").path
        let check = try Chromium.shell(["bash", script, report])
        #expect(check.status == 0, "check-report.sh: \(check.output)\n\(check.errors.suffix(2000))")
    }
}

/// Headless Chromium, for checking that reports render.
enum Chromium {
    /// The first Chromium on the PATH (or in /usr/bin), if any.
    static var executable: String? {
        let path = (LocalModels.environment["PATH"] ?? "") + ":/usr/bin:/snap/bin"
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            for folder in path.split(separator: ":") {
                let candidate = "\(folder)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    /// Runs headless Chromium with `arguments` and a throwaway profile.
    static func run(_ executable: String, _ arguments: [String], profile: String) throws
        -> (status: Int32, output: String, errors: String)
    {
        try shell([
            executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(profile)",
        ] + arguments)
    }

    /// Runs a program to completion, capturing its streams (through files, so neither pipe can fill up).
    static func shell(_ command: [String]) throws -> (status: Int32, output: String, errors: String) {
        let folder = NSTemporaryDirectory() + "panel-shell-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let out = "\(folder)/out"
        let err = "\(folder)/err"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (
            process.terminationStatus, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
            (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        )
    }
}
