import Foundation
import PanelKit

/// Terminal and Markdown renderings of an evaluation summary.
struct EvaluationReport {
    let summary: EvaluationSummary

    func table() -> Table {
        var table = Table(columns: [
            .init("system"), .init("accuracy (95% CI)", alignment: .right), .init("Δ vs best single (95% CI)", alignment: .right),
            .init("McNemar p", alignment: .right), .init("calls/item", alignment: .right), .init("tokens/item", alignment: .right),
            .init("p50 s", alignment: .right), .init("p95 s", alignment: .right), .init("errors", alignment: .right),
            .init("notes", maxWidth: 48),
        ])
        for system in summary.systems {
            var notes: [String] = []
            if let k = system.meanK { notes.append("mean k \(String(format: "%.2f", k))") }
            if !system.routingShares.isEmpty {
                notes.append(system.routingShares.map { "\($0.expert) \(percent($0.share))" }.joined(separator: ", "))
            }
            if let samples = system.meanSamples { notes.append("samples \(String(format: "%.1f", samples))") }
            if system.fallbacks > 0 { notes.append("\(system.fallbacks) fallbacks to vote") }
            if system.items < summary.items.count { notes.append("\(summary.items.count - system.items) missing") }
            table.append([
                system.name,
                "\(system.correct)/\(summary.items.count) \(percent(system.accuracy)) [\(percent(system.interval.lower))–\(percent(system.interval.upper))]",
                system.versusBest.map { "\(signed($0.difference)) [\(signed($0.interval.lower)), \(signed($0.interval.upper))]" } ?? "–",
                system.versusBest.map { String(format: "%.3f", $0.pValue) } ?? "–",
                String(format: "%.1f", system.callsPerItem), String(format: "%.0f", system.tokensPerItem),
                String(format: "%.1f", system.wallP50), String(format: "%.1f", system.wallP95), String(system.errors),
                notes.joined(separator: "; "),
            ])
        }
        return table
    }

    func markdown(config: JSONValue) -> String {
        var text = "# Panel evaluation \(summary.run)\n\n"
        text += "- ensemble: `\(config["ensemble"]?["path"]?.stringValue ?? "")`\n"
        text += "- bench: `\(config["bench"]?["path"]?.stringValue ?? "")`, \(summary.items.count) items\n"
        if let best = summary.bestSingle { text += "- best single candidate: `\(best)`\n" }
        text += "\n" + TableRenderer().renderMarkdown(table()) + "\n\n## Per item\n\n"
        var items = Table(columns: [.init("item"), .init("gold")] + summary.systems.map { .init($0.name) })
        for item in summary.items {
            let gold = summary.outcomes.values.lazy.compactMap { $0[item.id]?.gold }.first ?? item.answer
            items.append([item.id, gold] + summary.systems.map { system in
                guard let outcome = summary.outcomes[system.name]?[item.id] else { return "–" }
                if outcome.error != nil { return "error" }
                return "\(outcome.extracted ?? "unparsable") \(outcome.correct ? "✓" : "✗")"
            })
        }
        return text + TableRenderer().renderMarkdown(items) + "\n"
    }

    private func percent(_ x: Double) -> String { String(format: "%.0f%%", x * 100) }
    private func signed(_ x: Double) -> String { String(format: "%+.0f%%", x * 100) }
}
