import Foundation
import PanelKit

/// `panel runs list`: the evaluation runs in the store.
struct RunsList: Subcommand {
    static let spec = CommandSpec(
        name: "list", abstract: "List past evaluation runs, newest first.",
        options: [.option("--limit", value: "n", help: "How many runs.", defaultValue: "20"), .flag("--json", help: "Print JSON."), CommandSupport.databaseOption])

    var limit = 20
    var json = false
    var database: String?

    init(parsing cursor: inout ArgumentCursor) throws(UsageError) {
        while let option = try cursor.nextOption() {
            switch option {
            case "--limit": limit = try cursor.positiveInt(for: option)
            case "--json": json = true
            case "--db": database = try cursor.value(for: option)
            default: throw .unknownOption(option)
            }
        }
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let store = try CommandSupport.openStore(database, environment: context.environment)
        let runs = try await store.runs(limit: limit)
        if json {
            context.console.print(JSONValue.array(runs.map { run in
                [
                    "run": .string(run.id), "kind": .string(run.kind), "status": .string(run.status),
                    "created_at": .number(run.createdAt), "items_done": .int(run.itemCount), "config": run.config,
                    "systems": run.summary ?? .null,
                ]
            }).serialized(pretty: true))
            return .success
        }
        guard !runs.isEmpty else {
            context.console.print("no runs yet (start one with 'panel evaluate')")
            return .success
        }
        var table = Table(columns: [
            .init("run"), .init("created (UTC)"), .init("status"), .init("done", alignment: .right), .init("bench"),
            .init("accuracy", maxWidth: 70),
        ])
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        formatter.timeZone = TimeZone(identifier: "UTC")
        for run in runs {
            let total = (run.config["items"]?.intValue ?? 0) * (run.config["systems"]?.arrayValue?.count ?? 0)
            let accuracy = (run.summary?.arrayValue ?? []).compactMap { system -> String? in
                guard let name = system["name"]?.stringValue, let value = system["accuracy"]?.doubleValue else { return nil }
                return "\(name) \(String(format: "%.0f%%", value * 100))"
            }.joined(separator: ", ")
            table.append([
                run.id, formatter.string(from: Date(timeIntervalSince1970: run.createdAt)),
                run.status == "complete" && run.itemCount >= total ? "complete" : "incomplete", "\(run.itemCount)/\(total)",
                URL(fileURLWithPath: run.config["bench"]?["path"]?.stringValue ?? "").lastPathComponent.isEmpty
                    ? "–" : run.config["bench"]?["path"]?.stringValue ?? "–",
                accuracy.isEmpty ? "–" : accuracy,
            ])
        }
        context.console.print(TableRenderer(headerStyle: context.console.outputStyle).render(table))
        return .success
    }
}

/// `panel runs show`: one run's statistics, recomputed from its committed items.
struct RunsShow: Subcommand {
    static let spec = CommandSpec(
        name: "show", abstract: "Show a past run's statistics (and write its reports).",
        arguments: [.init("run", help: "The run's id.")],
        options: [
            .option("--report", value: "file", help: "Write the HTML report."),
            .option("--markdown", value: "file", help: "Write the Markdown report."),
            .flag("--json", help: "Print JSON."), CommandSupport.databaseOption,
        ])

    var run = ""
    var report: String?
    var markdown: String?
    var json = false
    var database: String?

    init(parsing cursor: inout ArgumentCursor) throws(UsageError) {
        while let option = try cursor.nextOption() {
            switch option {
            case "--report": report = try cursor.value(for: option)
            case "--markdown": markdown = try cursor.value(for: option)
            case "--json": json = true
            case "--db": database = try cursor.value(for: option)
            default: throw .unknownOption(option)
            }
        }
        run = try cursor.nextPositional(named: "run")
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let store = try CommandSupport.openStore(database, environment: context.environment)
        guard let record = try await store.run(run) else { throw Evaluator.EvaluationError.unknownRun(run) }
        let outcomes = try await store.runItems(run).compactMap { ItemOutcome(json: $0.result) }
        let systems = (record.config["systems"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(EvaluatedSystem.init(name:)) }
        // The items as the bench file has them, when it is still there and unchanged; else from the outcomes.
        var items: [TaskItem] = []
        if let path = record.config["bench"]?["path"]?.stringValue, let file = try? TaskFile.load(path: path),
            SHA256.hexDigest(file.data) == record.config["bench"]?["sha256"]?.stringValue
        {
            items = Array(file.items.prefix(record.config["items"]?.intValue ?? file.items.count))
        } else {
            var seen = Set<String>()
            for outcome in outcomes.sorted(by: { $0.position < $1.position }) where seen.insert(outcome.item).inserted {
                items.append(TaskItem(id: outcome.item, question: "", answer: outcome.gold ?? ""))
            }
        }
        let summary = EvaluationSummary(run: run, items: items, systems: systems, outcomes: outcomes)
        let rendering = EvaluationReport(summary: summary)
        if let report {
            try CommandSupport.write(HTMLReport(summary: summary, config: record.config).render(), to: report)
        }
        if let markdown { try CommandSupport.write(rendering.markdown(config: record.config), to: markdown) }
        if json {
            context.console.print(summary.json(config: record.config).serialized(pretty: true))
        } else {
            context.console.print("run \(record.id) (\(record.status)), \(outcomes.count) results, bench \(record.config["bench"]?["path"]?.stringValue ?? "?")")
            context.console.print(TableRenderer(headerStyle: context.console.outputStyle).render(rendering.table()))
        }
        return .success
    }
}
