import Foundation
import PanelKit

/// The terminal rendering of a selection.
struct SelectionReport {
    let result: SelectionResult

    func table(style: TerminalStyle) -> String {
        var table = Table(columns: [
            .init("candidate"), .init("accuracy (95% CI)", alignment: .right), .init("ppl", alignment: .right),
            .init("bits/byte", alignment: .right), .init("disagree", alignment: .right),
            .init("tokens/item", alignment: .right), .init("s/item", alignment: .right), .init("rank", alignment: .right),
            .init("chosen"), .init("why", maxWidth: 60),
        ])
        for evaluation in result.evaluations {
            let interval = evaluation.accuracyInterval
            let chosen = result.outcome.chosen.contains(evaluation.id)
            table.append([
                evaluation.id,
                "\(evaluation.correctCount)/\(evaluation.records.count) \(percent(evaluation.accuracy)) [\(percent(interval.lower))–\(percent(interval.upper))]",
                CommandSupport.format(evaluation.reasoningPerplexity),
                CommandSupport.format(evaluation.reasoningBitsPerByte, digits: 3),
                result.diversity.meanDisagreement(of: evaluation.id).map(percent) ?? "–",
                String(format: "%.0f", evaluation.tokensPerItem), String(format: "%.1f", evaluation.secondsPerItem),
                result.rank(evaluation.id).map(String.init) ?? "–", chosen ? style.green("yes") : "no",
                result.verdict(evaluation.id),
            ])
        }
        return TableRenderer(headerStyle: style).render(table)
    }

    func summary(out: String, strategy: SelectionOptions.Strategy) -> [String] {
        var lines = [
            "",
            "chosen: \(result.outcome.chosen.joined(separator: ", "))   (R_P ranks \(result.outcome.metric == .perplexity ? "reasoning perplexity: one tokenizer" : "bits per byte: tokenizers differ"))",
            "mode: \(result.decision.mode.rawValue) — \(result.decision.reason)",
        ]
        let tried = result.aggregatorTrials.filter { $0.trials > 0 }
        let trials = tried.map { "\($0.id) \($0.correct)/\($0.trials)" }.joined(separator: ", ")
        lines.append(
            "aggregator: \(result.aggregator)"
                + (tried.isEmpty ? " (the only chat-capable candidate in the shortlist: nothing to compare)" : " (fused correctly: \(trials))"))
        if strategy == .halving {
            let saved = result.requestsExhaustive - result.requestsUsed
            lines.append("successive halving: \(result.requestsUsed) requests instead of \(result.requestsExhaustive) (\(saved) saved)")
        }
        lines.append("model calls: \(result.usage.calls), cache hits: \(result.usage.cacheHits), tokens: \(result.usage.tokensIn) in / \(result.usage.tokensOut) out")
        for (id, reason) in result.leftOut { lines.append("left out: \(id): \(reason)") }
        lines.append("ensemble written to \(out)")
        return lines
    }

    private func percent(_ x: Double) -> String { String(format: "%.0f%%", x * 100) }
}
