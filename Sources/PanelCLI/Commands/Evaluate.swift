import Foundation
import PanelKit

/// `panel evaluate`: measures an ensemble against its parts on a benchmark file.
struct Evaluate: Subcommand {
    static let spec = CommandSpec(
        name: "evaluate",
        abstract: "Benchmark an ensemble against its parts, with statistics and a report.",
        discussion: """
            Every item runs through each requested mode and, with --baselines, through each single \
            candidate of the pool (greedy), so the best single candidate is always in the table. Each \
            finished item is committed to the store at once: an interrupted run (Ctrl-C, a kill, a power \
            cut) resumes with --resume RUN, or automatically when the same ensemble, bench and options are \
            run again, and never redoes or duplicates a finished item. Accuracy intervals are 95% \
            Wilson score intervals; differences are paired against the best single candidate, with a 95% \
            percentile bootstrap over items and an exact McNemar p-value.
            """,
        options: [
            .option("--ensemble", value: "file", help: "The ensemble written by select-experts.", isRequired: true),
            .option("--bench", value: "file", help: "The benchmark items (JSONL).", isRequired: true),
            .option("--limit", value: "n", help: "Evaluate only the first n items."),
            .option("--modes", value: "list", help: "Comma-separated modes: self-moa, vote, moe, moa. (default: the ensemble's mode)"),
            .flag("--baselines", help: "Also run every usable candidate of the pool alone (greedy)."),
            .option("--concurrency", value: "c", help: "Items in flight at once; the servers' slots pace the calls.", defaultValue: "4"),
            .option("--task-type", value: "type", help: "The bench's task type. (default: inferred per item)"),
            .option("--report", value: "file", help: "Write a self-contained HTML report."),
            .option("--markdown", value: "file", help: "Write a Markdown report."),
            .option("--resume", value: "run", help: "Resume this run (see 'panel runs list')."),
            .flag("--fresh", help: "Start a new run even if one with the same configuration exists."),
            .flag("--json", help: "Print the results as JSON."),
        ] + EnsembleOptions.specOptions + CallPolicyOptions.specOptions + [
            .option("--item-timeout", value: "s", help: "Seconds one system may take on one item; past it the item is recorded as an error."),
            .option("--pool", value: "file", help: "Use this pool file instead of the ensemble's."),
            CommandSupport.databaseOption,
        ],
        examples: [
            .init("panel evaluate --ensemble ensembles/gsm8k.json --bench evals/gsm8k/test.jsonl --limit 30 --baselines --report reports/gsm8k.html",
                  explanation: "The ensemble's mode against every candidate alone, on 30 items."),
        ])

    var ensemble = ""
    var bench = ""
    var limit: Int?
    var modes: [EnsembleMode] = []
    var baselines = false
    var concurrency = 4
    var taskType: TaskType?
    var report: String?
    var markdown: String?
    var resume: String?
    var fresh = false
    var json = false
    var overrides = EnsembleOptions()
    var calls = CallPolicyOptions()
    var itemTimeout: Duration?
    var pool: String?
    var database: String?

    init(parsing cursor: inout ArgumentCursor) throws(UsageError) {
        var ensemble: String?
        var bench: String?
        while let option = try cursor.nextOption() {
            if try overrides.parse(option, &cursor) { continue }
            if try calls.parse(option, &cursor) { continue }
            switch option {
            case "--ensemble": ensemble = try cursor.value(for: option)
            case "--item-timeout": itemTimeout = try CallPolicyOptions.seconds(&cursor, option)
            case "--bench": bench = try cursor.value(for: option)
            case "--limit": limit = try cursor.positiveInt(for: option)
            case "--modes":
                for name in try cursor.list(for: option) {
                    guard let mode = EnsembleMode(rawValue: name) else {
                        throw .invalidValue(option: option, value: name, expected: EnsembleMode.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                    if !modes.contains(mode) { modes.append(mode) }
                }
            case "--baselines": baselines = true
            case "--concurrency": concurrency = try cursor.positiveInt(for: option)
            case "--task-type": taskType = try cursor.value(for: option, as: TaskType.self)
            case "--report": report = try cursor.value(for: option)
            case "--markdown": markdown = try cursor.value(for: option)
            case "--resume": resume = try cursor.value(for: option)
            case "--fresh": fresh = true
            case "--json": json = true
            case "--pool": pool = try cursor.value(for: option)
            case "--db": database = try cursor.value(for: option)
            default: throw .unknownOption(option)
            }
        }
        guard let ensemble else { throw .missingOption("--ensemble") }
        guard let bench else { throw .missingOption("--bench") }
        if resume != nil && fresh { throw .conflictingOptions("--resume", "--fresh") }
        self.ensemble = ensemble
        self.bench = bench
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let file = try TaskFile.load(path: bench)
        let types = try file.resolveTypes(taskType)
        let items = Array(file.items.prefix(limit ?? file.items.count))
        let (spec, session) = try await EnsembleOptions.open(
            ensemble: ensemble, pool: pool, database: database, context: context, run: nil, policy: calls.policy)
        try CommandSupport.reportUnusable(session, console: context.console)
        guard let store = session.store else { throw CommandFailure("no store") }

        var systems = (modes.isEmpty ? [spec.mode] : modes).map(EvaluatedSystem.ensemble)
        if baselines { systems += session.clients.map { .single($0.id) } }
        var plan = Evaluator.Plan(
            ensemblePath: ensemble, spec: spec, bench: file, items: items, types: types, systems: systems,
            settings: overrides.applied(to: spec.settings), seed: overrides.seed, layers: overrides.layers,
            concurrency: concurrency)
        plan.itemTimeout = itemTimeout

        let console = context.console
        let progress = console.makeProgress(label: "evaluate", total: items.count * systems.count, unit: "items")
        let (summary, config) = try await Evaluator().run(
            plan, session: session, store: store, resume: resume, fresh: fresh
        ) { event in
            switch event {
            case .started(let run, let resumed, let done, let total):
                progress.writeLine(
                    resumed ? "resuming run \(run): \(done) of \(total) already done" : "run \(run): \(total) (system, item) pairs")
                progress.advance(by: done, free: true)
            case .finished(let outcome):
                progress.advance(
                    detail: "\(outcome.system) \(outcome.item) \(outcome.error != nil ? "error" : outcome.correct ? "✓" : "✗")",
                    free: outcome.calls == 0 && outcome.cacheHits > 0)
            }
        }
        progress.finish()

        let rendering = EvaluationReport(summary: summary)
        if let report {
            try write(HTMLReport(summary: summary, config: config).render(), to: report)
        }
        if let markdown { try write(rendering.markdown(config: config), to: markdown) }
        if json {
            var document = summary.json(config: config).objectValue ?? JSONObject()
            document["report"] = .optional(report)
            console.print(JSONValue.object(document).serialized(pretty: true))
        } else {
            console.print(TableRenderer(headerStyle: console.outputStyle).render(rendering.table()))
            console.print("")
            console.print("run \(summary.run): \(items.count) items" + (summary.bestSingle.map { ", best single candidate \($0)" } ?? ""))
            if let report { console.print("report: \(report)") }
            if let markdown { console.print("markdown: \(markdown)") }
        }
        let errors = summary.systems.map(\.errors).reduce(0, +)
        if errors > 0 { console.warn("\(errors) (system, item) pairs failed; they count as wrong and are listed in the report") }
        return .success
    }

    private func write(_ text: String, to path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
