import Foundation
import PanelKit
import Synchronization

/// `panel ask`: answers one question with an assembled ensemble.
struct Ask: Subcommand {
    static let spec = CommandSpec(
        name: "ask",
        abstract: "Answer a question with the assembled ensemble.",
        discussion: """
            Modes: self-moa (N independent samples of the best expert, fused over sequential rounds of W \
            proposals plus the carried synthesis), moa (the experts propose, optionally refine each other, \
            then fusion), moe (kNN routing over the K-shot items; shared experts always answer; experts are \
            added until the answers agree and the router is confident, up to --top-k), vote (weighted \
            majority over extracted answers, no aggregator). The aggregator's final answer streams to \
            stdout; --trace shows every proposal, routing decision and round on stderr. The question may \
            be a JSON object with "question" and "choices".
            """,
        arguments: [.init("question", help: "The question, or '-' to read it from stdin.", isOptional: true)],
        options: [
            .option("--ensemble", value: "file", help: "The ensemble written by select-experts.", isRequired: true),
            .option("--mode", value: "mode", help: "self-moa, moa, moe or vote. (default: the ensemble's)"),
            .option("--choice", value: "text", help: "An answer option of a multiple-choice question (repeat, in order).", isRepeatable: true),
        ] + EnsembleOptions.specOptions + CallPolicyOptions.specOptions + [
            .option("--timeout", value: "s", help: "Seconds the whole answer may take."),
            .option("--pool", value: "file", help: "Use this pool file instead of the ensemble's."),
            .flag("--trace", help: "Show proposals, routing and rounds on stderr."),
            .flag("--json", help: "Print the answer, usage and trace as JSON."),
            CommandSupport.databaseOption,
        ],
        examples: [
            .init("panel ask --ensemble ensembles/gsm8k.json \"A robe takes 2 bolts of blue fiber and half that much white fiber. How many bolts in total?\"", explanation: "Self-MoA on the best expert."),
            .init("echo '{\"question\":\"Which gas do plants absorb?\",\"choices\":[\"Oxygen\",\"Carbon dioxide\"]}' | panel ask --ensemble ensembles/mixed.json --mode moe --trace -", explanation: "Route a multiple-choice question."),
        ])

    var ensemble = ""
    var mode: EnsembleMode?
    var choices: [String] = []
    var overrides = EnsembleOptions()
    var calls = CallPolicyOptions()
    var timeout: Duration?
    var pool: String?
    var trace = false
    var json = false
    var database: String?
    var question: String?

    init(parsing cursor: inout ArgumentCursor) throws(UsageError) {
        var ensemble: String?
        while let option = try cursor.nextOption() {
            if try overrides.parse(option, &cursor) { continue }
            if try calls.parse(option, &cursor) { continue }
            switch option {
            case "--timeout": timeout = try CallPolicyOptions.seconds(&cursor, option)
            case "--ensemble": ensemble = try cursor.value(for: option)
            case "--mode": mode = try cursor.value(for: option, as: EnsembleMode.self)
            case "--choice": choices.append(try cursor.value(for: option))
            case "--pool": pool = try cursor.value(for: option)
            case "--trace": trace = true
            case "--json": json = true
            case "--db": database = try cursor.value(for: option)
            default: throw .unknownOption(option)
            }
        }
        guard let ensemble else { throw .missingOption("--ensemble") }
        self.ensemble = ensemble
        let words = cursor.remainingPositionals()
        question = words.isEmpty ? nil : words.joined(separator: " ")
    }

    /// The question as an item: a JSON object with "question" (and "choices"), or plain text.
    static func item(from text: String, choices: [String]) -> TaskItem {
        if text.hasPrefix("{"), let json = try? JSONParser.parse(text), let question = json["question"]?.stringValue {
            let given = json["choices"]?.arrayValue?.compactMap(\.stringValue)
            return TaskItem(
                id: json["id"]?.stringValue ?? "question", question: question, choices: given ?? (choices.isEmpty ? nil : choices),
                answer: json["answer"]?.stringValue ?? "")
        }
        return TaskItem(id: "question", question: text, choices: choices.isEmpty ? nil : choices, answer: "")
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        var text = question ?? "-"
        if text == "-" {
            // Without this, `panel ask --ensemble E` typed alone would seem to hang.
            if isatty(STDIN_FILENO) != 0 {
                context.console.standardError.writeLine("reading the question from standard input (end it with Ctrl-D)…")
            }
            let data = FileHandle.standardInput.readDataToEndOfFile()
            text = String(decoding: data, as: UTF8.self)
        }
        text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw UsageError.missingArgument("question") }
        let item = Self.item(from: text, choices: choices)

        let (spec, session) = try await EnsembleOptions.open(
            ensemble: ensemble, pool: pool, database: database, context: context, run: "ask", policy: calls.policy)
        try CommandSupport.reportUnusable(session, console: context.console)
        let runner = try EnsembleRunner(
            spec: spec, session: session, settings: overrides.applied(to: spec.settings), seed: overrides.seed,
            layers: overrides.layers)
        let console = context.console
        let streamed = StreamedFlag()
        let stream = !json
        let work = { @Sendable in
            try await runner.answer(
                item, mode: mode ?? spec.mode, run: "ask",
                onText: { piece in
                    guard stream else { return }
                    streamed.mark(endsLine: piece.hasSuffix("\n"))
                    console.standardOutput.write(piece)
                },
                onTrace: { line in
                    guard trace else { return }
                    // Keep trace lines off the end of a partly streamed answer line.
                    if streamed.openLine {
                        streamed.mark(endsLine: true)
                        console.standardOutput.write("\n")
                    }
                    console.standardError.writeLine("trace: \(line)")
                })
        }
        let answer: EnsembleAnswer
        if let timeout {
            guard let answered = try await withDeadline(.now + timeout, work) else {
                throw CommandFailure("no answer within --timeout \(Int(timeout.inSeconds)) s")
            }
            answer = answered
        } else {
            answer = try await work()
        }

        if json {
            console.print(answer.json.serialized(pretty: true))
        } else {
            if streamed.openLine { console.standardOutput.write("\n") }
            if !streamed.value || answer.fallback != nil {
                console.print(answer.text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            let usage = answer.totalUsage
            var facts = ["\(answer.mode.rawValue)"]
            if answer.samplesRequested > 0 { facts.append("\(answer.samplesUsed)/\(answer.samplesRequested) samples") }
            if !answer.rounds.isEmpty { facts.append("\(answer.rounds.count) rounds") }
            if !answer.experts.isEmpty { facts.append("k=\(answer.experts.count): \(answer.experts.joined(separator: ", "))") }
            facts.append("\(usage.calls.counting("call")), \(usage.cacheHits) cached, \(usage.tokensIn + usage.tokensOut) tokens")
            console.standardError.writeLine("answer: \(answer.extracted.text ?? "unparsable") (\(facts.joined(separator: "; ")))")
            if let fallback = answer.fallback { console.warn(fallback) }
            if !answer.failures.isEmpty {
                console.warn("left out \(answer.failures.count.counting("failed call")) (--trace shows them): \(answer.failures[0])")
            }
        }
        return .success
    }
}

/// Whether any text has been streamed yet, and whether its last line is still open.
final class StreamedFlag: Sendable {
    private let state = Mutex((streamed: false, open: false))
    func mark(endsLine: Bool) { state.withLock { $0 = (true, !endsLine) } }
    var value: Bool { state.withLock { $0.streamed } }
    var openLine: Bool { state.withLock { $0.open } }
}
