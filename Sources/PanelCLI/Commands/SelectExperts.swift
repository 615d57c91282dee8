import Foundation
import PanelKit

/// `panel select-experts`: scores the pool on K-shot examples and writes the ensemble.
struct SelectExperts: Subcommand {
    static let spec = CommandSpec(
        name: "select-experts",
        abstract: "Score every candidate on K-shot examples and pick the experts worth combining.",
        discussion: """
            Each candidate answers every K-shot item (greedy; completion-style candidates see the other \
            items as demonstrations), the gold rationale is scored under it (reasoning perplexity, and bits \
            per byte across tokenizers), and pairwise diversity is measured. The experts are chosen with \
            Algorithm 1 of Yang et al. (2024); the mode follows the evidence (Self-MoA when one candidate \
            is clearly best, MoE when similar candidates are right on different items); the aggregator is \
            the candidate that fused proposals best on a few items. Every call is stored: a second run, or \
            the rerun of an interrupted one, reuses the answers already given.
            """,
        options: [
            CommandSupport.poolOption,
            .option("--kshot", value: "file", help: "The labelled K-shot examples (JSONL).", isRequired: true),
            .option("--task-type", value: "type", help: "multiple-choice, number, yes-no, exact or free-text. (default: inferred per item)"),
            .option("--experts", value: "n", help: "How many experts to choose (N). (default: fits the pool, 2 for 3 candidates, at most 4)"),
            .option("--shortlist", value: "m", help: "Candidates kept for the subset search (M). (default: min(8, pool size))"),
            .option("--strategy", value: "s", help: "exhaustive, or halving (successive halving: fewer calls).", defaultValue: "exhaustive"),
            .option("--aggregator-trials", value: "n", help: "K-shot items each aggregator candidate fuses.", defaultValue: "4"),
            .option("--max-tokens", value: "n", help: "Generation budget per answer when the pool sets none.", defaultValue: "384"),
            .option("--out", value: "file", help: "Where to write the ensemble. (default: ensembles/<task>.json)"),
            .flag("--json", help: "Print the result as JSON on stdout."),
            CommandSupport.databaseOption,
        ] + CallPolicyOptions.specOptions,
        examples: [
            .init("panel select-experts --pool pools/local.json --kshot evals/gsm8k/kshot.jsonl", explanation: "Build ensembles/gsm8k.json."),
            .init("panel select-experts --kshot evals/gsm8k/kshot.jsonl --strategy halving", explanation: "Same choice, fewer calls."),
        ])

    var pool = "pools/local.json"
    var kshot = ""
    var taskType: TaskType?
    var options = SelectionOptions()
    var out: String?
    var json = false
    var database: String?
    var calls = CallPolicyOptions()

    init(parsing cursor: inout ArgumentCursor) throws(UsageError) {
        var kshot: String?
        while let option = try cursor.nextOption() {
            if try calls.parse(option, &cursor) { continue }
            switch option {
            case "--pool": pool = try cursor.value(for: option)
            case "--kshot": kshot = try cursor.value(for: option)
            case "--task-type": taskType = try cursor.value(for: option, as: TaskType.self)
            case "--experts": options.experts = try cursor.positiveInt(for: option)
            case "--shortlist": options.shortlist = try cursor.positiveInt(for: option)
            case "--strategy": options.strategy = try cursor.value(for: option, as: SelectionOptions.Strategy.self)
            case "--aggregator-trials": options.aggregatorTrials = try cursor.int(for: option)
            case "--max-tokens": options.defaultMaxTokens = try cursor.positiveInt(for: option)
            case "--out": out = try cursor.value(for: option)
            case "--json": json = true
            case "--db": database = try cursor.value(for: option)
            default: throw .unknownOption(option)
            }
        }
        guard let kshot else { throw .missingOption("--kshot") }
        self.kshot = kshot
    }

    /// The task's name: the K-shot file's folder for `…/<task>/kshot.jsonl`, else the file's stem.
    static func taskName(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let stem = url.deletingPathExtension().lastPathComponent
        return stem == "kshot" ? url.deletingLastPathComponent().lastPathComponent : stem
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        // Validate every input before anything touches a server or the store.
        let pool = try PoolLoader.load(path: self.pool)
        let file = try TaskFile.load(path: kshot)
        let types = try file.resolveTypes(taskType)
        let task = Self.taskName(for: kshot)
        let outPath = out ?? "ensembles/\(task).json"
        let console = context.console
        let store = try CommandSupport.openStore(database, environment: context.environment)

        let session = try await PoolSession.open(
            pool, store: store, transport: CommandSupport.transport(), run: "select:\(task)", policy: calls.policy)
        try CommandSupport.reportUnusable(session, console: console)
        let progress = console.makeProgress(label: "select-experts", total: 0, unit: "items")
        let result = try await ExpertSelector(options: options).select(
            session: session, kshot: file, types: types, task: task
        ) { event in
            switch event {
            case .planned(let count): progress.increaseTotal(by: count)
            case .finished(let candidate, let item): progress.advance(detail: "\(candidate) \(item)")
            case .phase(let phase): progress.writeLine(phase)
            }
        }
        progress.finish()

        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: outPath).deletingLastPathComponent().path, withIntermediateDirectories: true)
        var spec = result.spec
        spec.scores = result.candidatesJSON
        try spec.json.data(pretty: true).write(to: URL(fileURLWithPath: outPath), options: .atomic)

        let report = SelectionReport(result: result)
        if json {
            console.print(result.json(out: outPath, strategy: options.strategy).serialized(pretty: true))
        } else {
            console.print(report.table(style: console.outputStyle))
            for line in report.summary(out: outPath, strategy: options.strategy) { console.print(line) }
        }
        for note in result.notes { console.warn(note) }
        return .success
    }
}
