import Foundation
import PanelKit

/// `panel pool check`: probes every candidate and prints what each can do.
struct PoolCheck: Subcommand {
    static let spec = CommandSpec(
        name: "check",
        abstract: "Probe every candidate of a pool: reachability, latency, slots, context and capabilities.",
        discussion: """
            Each candidate is probed with a few tiny requests (a one-token chat and completion, a \
            one-token forced-decoding score, an embeddings call). Results are stored, and later commands \
            leave out or degrade around what a candidate cannot do. Exits 1 when a candidate is unusable.
            """,
        arguments: [.init("pool-file", help: "The pool file (same as --pool).", isOptional: true)],
        options: [CommandSupport.poolOption, .flag("--json", help: "Print the results as JSON."), CommandSupport.databaseOption],
        examples: [.init("panel pool check pools/local.json", explanation: "Probe the local pool.")])

    var pool = "pools/local.json"
    var json = false
    var database: String?

    init(parsing cursor: inout ArgumentCursor) throws(UsageError) {
        var explicitPool: String?
        while let option = try cursor.nextOption() {
            switch option {
            case "--pool": explicitPool = try cursor.value(for: option)
            case "--json": json = true
            case "--db": database = try cursor.value(for: option)
            default: throw .unknownOption(option)
            }
        }
        pool = try CommandSupport.poolPath(option: explicitPool, cursor: &cursor)
    }

    func run(_ context: CommandContext) async throws -> ExitCode {
        let pool = try PoolLoader.load(path: self.pool)
        let store = try CommandSupport.openStore(database, environment: context.environment)
        let progress = context.console.makeProgress(label: "probing", total: pool.candidates.count, unit: "candidates")
        let session = try await PoolSession.open(pool, store: store, transport: CommandSupport.transport())
        progress.advance(by: pool.candidates.count)
        progress.finish()
        let probes = session.probes
        if json {
            let output: JSONValue = ["pool": .string(pool.path), "candidates": .array(probes.map(\.json))]
            context.console.print(output.serialized(pretty: true))
        } else {
            var table = Table(
                columns: [
                    .init("candidate"), .init("kind"), .init("reachable"), .init("latency", alignment: .right),
                    .init("slots", alignment: .right), .init("context", alignment: .right), .init("chat"),
                    .init("completion"), .init("n", alignment: .right), .init("logprobs"), .init("scoring"),
                    .init("lora"), .init("embeddings"), .init("tokenize"),
                ])
            for (candidate, probe) in zip(pool.candidates, probes) {
                let c = probe.capabilities
                let usable = probe.reachable && probe.error == nil
                table.append([
                    candidate.id, candidate.kind.rawValue, CommandSupport.yesNo(probe.reachable),
                    probe.latencyMs.map { "\(CommandSupport.format($0, digits: 0)) ms" } ?? "–",
                    probe.slots.map(String.init) ?? "–", probe.contextSize.map(String.init) ?? "–",
                    usable ? CommandSupport.yesNo(c.chat) : "–", usable ? CommandSupport.yesNo(c.completion) : "–",
                    usable ? String(c.maxN) : "–", usable ? CommandSupport.yesNo(c.logprobs) : "–",
                    usable ? c.scoring.rawValue : "–", usable ? CommandSupport.yesNo(c.lora) : "–",
                    usable ? CommandSupport.yesNo(c.embeddings) : "–", usable ? CommandSupport.yesNo(c.tokenize) : "–",
                ])
            }
            context.console.print(TableRenderer(headerStyle: context.console.outputStyle).render(table))
        }
        for probe in probes {
            for warning in probe.warnings { context.console.warn("\(probe.candidateID): \(warning)") }
            if let error = probe.error { context.console.reportError("\(probe.candidateID): \(error)") }
        }
        return session.unusable.isEmpty ? .success : .failure
    }
}
